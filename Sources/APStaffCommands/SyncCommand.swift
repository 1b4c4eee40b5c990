import APClient
import ArgumentParser
import Foundation

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send what was saved on this PC while the service could not be reached, and show what waits.",
        discussion: """
            ap out, ap in, ap check and ap incident record keep their request on this PC when the \
            service cannot be reached; every later ap command sends what is waiting first, in \
            order, each with the time it happened. An entry the service refuses stays here, \
            marked refused with its reason, until someone deals with it: --resend N once it is \
            put right (after ap login, say), or --discard N --reason "...". Only your own entries \
            are sent, under your name.

            Example:  ap sync            ap sync --show            ap sync --discard 2 --reason "recorded again by hand"
            """)

    @OptionGroup var service: ServiceOptions
    @Flag(help: "Show every entry saved on this PC and where it stands, sending nothing.") var show = false
    @Option(help: "Send a refused entry again (by its number).") var resend: Int?
    @Option(help: "Set an entry aside for good, never sending it (by its number); needs --reason.") var discard: Int?
    @Option(help: "Why the entry is discarded.") var reason: String?

    func validate() throws {
        if discard != nil && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("say why the entry is discarded, with --reason")
        }
        if [show, resend != nil, discard != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give one of --show, --resend and --discard")
        }
    }

    func run() async throws {
        let config = try CLIConfig.load(from: CLIConfig.path())
        guard let username = config.username else { throw CLIError("you are not signed in: run `ap login <username>` first") }
        let journal = OfflineJournal(username: username)
        if let discard, let reason {
            try journal.discard(discard, reason: reason)
            print("Entry \(discard) set aside: \(reason).")
        }
        if let resend { try journal.resend(resend) }
        if !show && discard == nil {
            // Sends what is waiting (and says what went), as every command does first.
            let url = try service.resolveServer(config: config)
            await Offline.sendWaiting(config: config, server: url)
        }
        let entries = try journal.entries()
        let open = entries.filter { $0.state != .sent }
        if show {
            guard !entries.isEmpty else {
                print("Nothing was saved on this PC.")
                return
            }
            Terminal.printTable(
                ["#", "HAPPENED", "SAVED", "WHAT", "FOR", "STATE"],
                entries.map { entry, state in
                    [
                        String(entry.number), Terminal.time(entry.occurredAt), Terminal.time(entry.savedAt), entry.summary,
                        entry.server ?? "-", OfflineJournal.words(state),
                    ]
                })
            return
        }
        let waiting = open.filter { $0.state == .waiting }
        let refused = open.filter { if case .refused = $0.state { true } else { false } }
        if waiting.isEmpty && refused.isEmpty {
            print("Nothing is waiting on this PC.")
        } else {
            for (entry, state) in waiting + refused { print("  \(entry.number). \(entry.summary): \(OfflineJournal.words(state))") }
        }
    }
}
