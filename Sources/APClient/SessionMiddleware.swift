import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Adds `Authorization` and, to each POST, a new `Idempotency-Key`; retries a call whose
/// connection failed (safe: the retry carries the same key, so the service records it once).
struct SessionMiddleware: ClientMiddleware {
    let token: String?
    let retries: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        if let token {
            request.headerFields[.authorization] = "Bearer \(token)"
        }
        if request.method == .post, request.headerFields[.idempotencyKey] == nil {
            request.headerFields[.idempotencyKey] = UUID().uuidString.lowercased()
        }
        // The body is sent once per attempt, so keep its bytes.
        let bytes: [UInt8]? = if let body { try await [UInt8](collecting: body, upTo: 1 << 20) } else { nil }
        var attempt = 0
        while true {
            do {
                return try await next(request, bytes.map { HTTPBody($0) }, baseURL)
            } catch {
                attempt += 1
                if attempt > retries { throw error }
                try await Task.sleep(for: .milliseconds(300 * attempt))
            }
        }
    }
}

extension HTTPField.Name {
    /// The header that makes a POST safe to retry.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
