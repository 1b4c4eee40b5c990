@_exported import APIContract
import AsyncHTTPClient
import Foundation
import HTTPTypes
import OpenAPIAsyncHTTPClient
@_exported import OpenAPIRuntime

extension Client {
    /// The generated API client pointed at a server: every call signed with the session token,
    /// every POST given an `Idempotency-Key` its retries reuse, and every answer that is not a
    /// success thrown as a `CLIError` in words, so a call reads
    /// `try await client.getTonight(path: ...).ok.body.json`.
    public init(serverURL: URL, token: String?, retries: Int = 2) {
        self.init(
            serverURL: serverURL,
            transport: AsyncHTTPClientTransport(configuration: .init(timeout: .seconds(30))),
            middlewares: [ProblemAnswerMiddleware(serverURL: serverURL), SessionMiddleware(token: token, retries: retries)])
    }
}

extension CLIError {
    /// The sentence an error thrown by a call stands for: the service's own words when it
    /// answered, else what the error says.
    public static func unwrapping(_ error: any Error) -> any Error {
        if let clientError = error as? ClientError { return clientError.underlyingError }
        return error
    }
}
