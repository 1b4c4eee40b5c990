import APIContract
import AsyncHTTPClient
import Foundation
import HTTPTypes
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// The generated API client, pointed at a server, signing each call with the session token
/// and giving each POST an `Idempotency-Key` of its own that its retries reuse.
public struct ServiceClient: Sendable {
    /// The generated client.
    public let api: Client
    /// Where the service is.
    public let serverURL: URL

    public init(serverURL: URL, token: String?, retries: Int = 2) {
        self.serverURL = serverURL
        self.api = Client(
            serverURL: serverURL,
            transport: AsyncHTTPClientTransport(configuration: .init(timeout: .seconds(30))),
            middlewares: [SessionMiddleware(token: token, retries: retries)])
    }

    /// Runs a call, turning a transport failure into a sentence.
    public func call<T>(_ body: (Client) async throws -> T) async throws -> T {
        do {
            return try await body(api)
        } catch let error as ClientError {
            if let problem = error.underlyingError as? CLIError { throw problem }
            throw CLIError("cannot reach the service at \(serverURL.absoluteString) (\(Self.reason(error.underlyingError))); is it running? Start it with `ap serve`")
        }
    }

    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") { return "timed out" }
        if text.contains("refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        return text.count > 120 ? String(text.prefix(120)) + "..." : text
    }
}

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
        if request.method == .post, request.headerFields[HTTPField.Name("Idempotency-Key")!] == nil {
            request.headerFields[HTTPField.Name("Idempotency-Key")!] = UUID().uuidString.lowercased()
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
