import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Adds `Authorization` and, to each POST, a new `Idempotency-Key`; retries a call whose
/// connection failed or that the service answered 5xx, with the same key (so the service
/// records it once, or replays its first answer), backing off, for up to `retryFor`, and says
/// so on stderr.
struct SessionMiddleware: ClientMiddleware {
    let token: String?
    let retryFor: Duration

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        // The service lists this session as opened by `ap`.
        request.headerFields[.userAgent] = "ap/1"
        if let token {
            request.headerFields[.authorization] = "Bearer \(token)"
        }
        if request.method == .post, request.headerFields[.idempotencyKey] == nil {
            request.headerFields[.idempotencyKey] = UUID().uuidString.lowercased()
        }
        // The body is sent once per attempt, so keep its bytes.
        let bytes: [UInt8]? = if let body { try await [UInt8](collecting: body, upTo: 1 << 20) } else { nil }
        let giveUp = ContinuousClock.now + retryFor
        var wait = Duration.milliseconds(250)
        while true {
            let problem: String
            do {
                let (response, answer) = try await next(request, bytes.map { HTTPBody($0) }, baseURL)
                guard response.status.kind == .serverError, ContinuousClock.now + wait < giveUp else { return (response, answer) }
                problem = "the service answered \(response.status.code)"
            } catch {
                guard ContinuousClock.now + wait < giveUp else { throw error }
                problem = "the service could not be reached"
            }
            let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
            FileHandle.standardError.write(
                Data(
                    "\(problem): trying again in \(String(format: "%g", seconds)) s (the same request: it is recorded once)\n".utf8))
            try await Task.sleep(for: wait)
            wait = min(wait * 2, .seconds(8))
        }
    }
}

extension HTTPField.Name {
    /// The header that makes a POST safe to retry.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
