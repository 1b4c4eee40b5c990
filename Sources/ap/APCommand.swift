import APClient
import APOperatorCommands
import APStaffCommands
import ArgumentParser
import Foundation

/// `ap`: the command line of ApprovedPremises.
struct APCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ap",
        abstract: "ApprovedPremises: the command line for AP staff and operators.",
        discussion: """
            Staff commands (login, tonight, out, in, check, beds, placements, referrals, \
            report ...) talk to the service over HTTP; the server is --server, else $AP_SERVER, \
            else the one you logged in to, else http://127.0.0.1:8080. Operator commands (serve, \
            db) use the database directly: DATABASE_URL, or libpq's PG* variables. The guides, \
            one per reader, are in the project's DocC catalog (Deploy/docs.sh builds them).

            Example:  ap login night --server http://127.0.0.1:8080   then   ap whoami
            """,
        version: OperatorCommandLine.version,
        subcommands: OperatorCommandLine.commands + StaffCommandLine.commands)

}

extension APCommand {
    /// Parses the process's arguments and runs the command they name, exiting with its status.
    /// (The executable calls this rather than `main()`, whose synchronous overload a
    /// top-level `await` can pick on Linux.)
    static func start() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // A call's failure arrives wrapped by the API client: report the sentence inside.
            exit(withError: CLIError.unwrapping(error))
        }
    }
}
