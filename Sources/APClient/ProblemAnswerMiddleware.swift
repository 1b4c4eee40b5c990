import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Turns every answer that is not a success into a `CLIError` carrying the service's problem
/// (`application/problem+json`) in words, and a call that cannot reach the service into a
/// sentence saying so; commands then read only the success they expect.
struct ProblemAnswerMiddleware: ClientMiddleware {
    let serverURL: URL

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody): (HTTPResponse, HTTPBody?)
        do {
            (response, responseBody) = try await next(request, body, baseURL)
        } catch {
            var unreachable = CLIError(
                "cannot reach the service at \(serverURL.absoluteString) (\(Self.reason(error))); is it running? Start it with `ap serve`")
            unreachable.unreachable = true
            throw unreachable
        }
        guard response.status.kind != .successful else { return (response, responseBody) }
        let bytes: [UInt8] = if let responseBody { (try? await [UInt8](collecting: responseBody, upTo: 1 << 20)) ?? [] } else { [] }
        let problem = try? JSONDecoder().decode(Components.Schemas.Problem.self, from: Data(bytes))
        throw CLIError(status: response.status.code, problem: problem)
    }

    /// A transport failure in a few words.
    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") { return "timed out" }
        if text.contains("refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        return text.count > 120 ? String(text.prefix(120)) + "..." : text
    }
}
