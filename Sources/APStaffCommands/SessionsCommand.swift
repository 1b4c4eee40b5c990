import APClient
import ArgumentParser
import Foundation

struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List your sessions (browsers and `ap`), and end one or all the others.",
        discussion: """
            A session you end is signed out at its next request. Sessions left unused end by \\
            themselves (the idle time-out), as does any session at the end of its lifetime.

            Examples:  ap sessions
                       ap sessions end 3f2a...        (an id from the list)
                       ap sessions end --others
            """,
        subcommands: [SessionsList.self, SessionsEnd.self], defaultSubcommand: SessionsList.self)
}

struct SessionsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Your live sessions: where, started, last used, and when each ends.",
        discussion: "Example:  ap sessions list --json")

    @OptionGroup var service: ServiceOptions
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, _) = try await service.session()
        let list = try await client.listMySessions().ok.body.json
        if json {
            try Terminal.printJSON(list)
            return
        }
        print("Sessions end after \(list.idleMinutes) minutes unused, and \(list.lifetimeHours) hours after sign-in at the latest.")
        for session in list.items {
            let place = session.client == .browser ? "browser" : session.client == .ap ? "ap" : "API"
            print(
                "\(session.id)  \(place.padding(toLength: 8, withPad: " ", startingAt: 0)) started \(Terminal.time(session.startedAt)), "
                    + "last used \(Terminal.time(session.lastUsedAt)), ends \(Terminal.time(session.expiresAt))"
                    + (session.current ? "  (this one)" : ""))
        }
    }
}

struct SessionsEnd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "end", abstract: "End one of your sessions by its id, or every one but this.",
        discussion: "Examples:  ap sessions end 3f2a1c9e-...   ap sessions end --others")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The session's id, from `ap sessions`.") var id: String?
    @Flag(help: "End every session of yours but this one.") var others = false

    func validate() throws {
        guard (id == nil) != !others else { throw ValidationError("give a session's id, or --others (not both)") }
    }

    func run() async throws {
        let (client, _) = try await service.session()
        if others {
            let ended = try await client.endMyOtherSessions().ok.body.json.ended
            print(ended == 1 ? "Ended 1 other session." : "Ended \(ended) other sessions.")
            return
        }
        _ = try await client.endSession(path: .init(sessionId: id ?? "")).noContent
        print("Ended session \(id ?? "").")
    }
}
