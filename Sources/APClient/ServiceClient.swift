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
    /// `try await client.getTonight(path: ...).ok.body.json`. A call that cannot reach the
    /// service, or that it answers 5xx, is retried for up to `retryFor` (`AP_RETRY_SECONDS`,
    /// default 60).
    public init(serverURL: URL, token: String?, retryFor: Duration? = nil) {
        self.init(
            serverURL: serverURL,
            transport: AsyncHTTPClientTransport(configuration: .init(client: HTTPClient.commandLine, timeout: .seconds(30))),
            middlewares: [
                ProblemAnswerMiddleware(serverURL: serverURL), SessionMiddleware(token: token, retryFor: retryFor ?? Self.retryFor()),
            ])
    }

    /// How long a call is retried: `AP_RETRY_SECONDS` (0 to 600), else a minute.
    public static func retryFor(environment: [String: String] = ProcessInfo.processInfo.environment) -> Duration {
        guard let text = environment["AP_RETRY_SECONDS"], let seconds = Int(text), (0...600).contains(seconds) else { return .seconds(60) }
        return .seconds(seconds)
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

extension HTTPClient {
    /// The command line's HTTP client: a connection the service refuses fails at once (AsyncHTTPClient
    /// would otherwise try again until the request's deadline), since `SessionMiddleware` retries
    /// with the same key, saying so, and a recording command then saves to this PC instead.
    static let commandLine: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
