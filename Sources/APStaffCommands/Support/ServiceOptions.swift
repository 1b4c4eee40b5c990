import APClient
import ArgumentParser
import Foundation

/// Where the service is, shared by every staff command.
struct ServiceOptions: ParsableArguments {
    @Option(name: .long, help: "The service's URL (default: $AP_SERVER, then the one you logged in to, then http://127.0.0.1:8080).")
    var server: String?

    /// The API client, signed in, and the config it came from; first, what the signed-in member
    /// of staff saved on this PC while the service could not be reached is sent (`sendingWaiting`).
    /// A recording command passes `Offline.retryFor`, so that it saves rather than waits a minute.
    func session(requireToken: Bool = true, sendingWaiting: Bool = true, retryFor: Duration? = nil) async throws -> (
        client: Client, config: CLIConfig
    ) {
        let config = try CLIConfig.load(from: CLIConfig.path())
        let url = try resolveServer(config: config)
        if requireToken && config.token == nil {
            throw CLIError("you are not signed in: run `ap login <username>` first")
        }
        if requireToken, let loggedInTo = config.server, loggedInTo != url.absoluteString {
            throw CLIError("you are signed in to \(loggedInTo), not \(url.absoluteString): run `ap login` against that server")
        }
        if sendingWaiting { await Offline.sendWaiting(config: config, server: url) }
        return (Client(serverURL: url, token: config.token, retryFor: retryFor), config)
    }

    /// The service's URL: the option, else `$AP_SERVER`, else the one logged in to, else local.
    func resolveServer(config: CLIConfig) throws -> URL {
        var text = server ?? ProcessInfo.processInfo.environment["AP_SERVER"] ?? config.server ?? "http://127.0.0.1:8080"
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw CLIError("the server must be a URL such as http://127.0.0.1:8080, not \(Excerpt.quoted(text))")
        }
        return url
    }
}
