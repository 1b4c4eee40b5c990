import ArgumentParser

/// `ap`: the command line of ApprovedPremises.
public struct APCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ap",
        abstract: "ApprovedPremises: the command line for AP staff and operators.",
        discussion: """
            Staff commands (login, whoami, staff, premises) talk to the service over HTTP; the \
            server is --server, else $AP_SERVER, else the one you logged in to, else \
            http://127.0.0.1:8080. Operator commands (serve, db) use the database directly: \
            DATABASE_URL, or libpq's PG* variables.

            Example:  ap login night --server http://127.0.0.1:8080   then   ap whoami
            """,
        subcommands: [Serve.self, DB.self, Login.self, Logout.self, WhoAmI.self, StaffCommand.self, PremisesCommand.self, BedsCommand.self, PlacementsCommand.self, ReferralsCommand.self, MatchCommand.self, Tonight.self, SignOut.self, SignIn.self, Check.self, Checks.self, BreachesCommand.self, IncidentCommand.self, CurfewCommand.self, HandoverCommand.self, Verify.self, ResidentCommand.self, KeyWorkCommand.self, TestsCommand.self, MoveOnCommand.self, ReportCommand.self])

    public init() {}
}

/// Where the service is, shared by every staff command.
struct ServiceOptions: ParsableArguments {
    @Option(name: .long, help: "The service's URL (default: $AP_SERVER, then the one you logged in to, then http://127.0.0.1:8080).")
    var server: String?

    /// The session and server this command should use.
    func session(requireToken: Bool = true) throws -> (client: ServiceClient, config: CLIConfig) {
        let environment = ProcessInfo.processInfo.environment
        let config = try CLIConfig.load(from: CLIConfig.path(environment: environment))
        let url = try resolveServer(config: config)
        if requireToken && config.token == nil {
            throw CLIError("you are not signed in: run `ap login <username>` first")
        }
        if requireToken, let loggedInTo = config.server, loggedInTo != url.absoluteString {
            throw CLIError("you are signed in to \(loggedInTo), not \(url.absoluteString): run `ap login` against that server")
        }
        return (ServiceClient(serverURL: url, token: config.token), config)
    }

    func resolveServer(config: CLIConfig) throws -> URL {
        var text = server ?? ProcessInfo.processInfo.environment["AP_SERVER"] ?? config.server ?? "http://127.0.0.1:8080"
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw CLIError("the server must be a URL such as http://127.0.0.1:8080, not \(text)")
        }
        return url
    }
}

import Foundation

extension APCommand {
    /// Parses the process's arguments and runs the command they name, exiting with its status.
    /// (The executable calls this rather than `main()`, whose synchronous overload a
    /// top-level `await` can pick on Linux.)
    public static func start() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
