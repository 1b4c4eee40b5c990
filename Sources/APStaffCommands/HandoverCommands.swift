import APClient
import ArgumentParser
import Foundation

struct HandoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handover",
        abstract: "Handovers between shifts: read the latest, write yours, acknowledge what you have read.",
        discussion: "Example:  ap handover            (shows what is waiting for you, then the latest)",
        subcommands: [HandoverShow.self, HandoverWrite.self, HandoverAcknowledge.self],
        defaultSubcommand: HandoverShow.self)
}

extension Client {
    /// Handovers of the last day the caller has not acknowledged.
    func pendingHandovers(_ premisesID: String) async throws -> [Components.Schemas.Handover] {
        try await listPendingHandovers(path: .init(premisesId: premisesID)).ok.body.json
    }
}

/// A handover as text, its times in the premises' zone.
enum HandoverPrinter {
    static func print(_ handover: Components.Schemas.Handover, local: LocalTime) {
        Swift.print(
            "\(handover.shift.rawValue.capitalized) shift handover by \(handover.writtenBy), \(local.clock(handover.writtenAt)) \(local.dayName(handover.writtenAt))"
        )
        Swift.print(handover.notes.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
        if !handover.watch.isEmpty {
            Swift.print("Watch:")
            handover.watch.forEach { Swift.print("  \($0.personName): \($0.why)") }
        }
        if !handover.tasks.isEmpty {
            Swift.print("Tasks:")
            handover.tasks.enumerated().forEach { Swift.print("  \($0.offset + 1). \($0.element)") }
        }
        let readers = handover.acknowledgements.map { "\($0.staffName) \(local.clock($0.at))" }
        Swift.print("Acknowledged by: \(readers.isEmpty ? "nobody yet" : readers.joined(separator: ", "))")
    }
}

struct HandoverShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show handovers waiting for you, then the latest.", discussion: "Example:  ap handover show")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let pending = try await client.pendingHandovers(premisesID)
        let latest = try await absentAsNil { try await client.getLatestHandover(path: .init(premisesId: premisesID)).ok.body.json }
        if json {
            try Terminal.printJSON(["pending": pending, "latest": latest.map { [$0] } ?? []])
            return
        }
        if !pending.isEmpty {
            print("\(pending.count) handover\(pending.count == 1 ? "" : "s") waiting for you to acknowledge (ap handover ack):\n")
            for handover in pending {
                HandoverPrinter.print(handover, local: here.local)
                print("")
            }
        } else if let latest {
            HandoverPrinter.print(latest, local: here.local)
        } else {
            print("No handover has been written here yet.")
        }
    }
}

struct HandoverWrite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write the handover for the shift that is ending.",
        discussion: """
            The notes are written in $EDITOR when you are at a terminal and it is set, otherwise \
            read from stdin.

            Example:  ap handover write --shift night --watch "dan: came in late, unsettled" --task "chase Dan's GP letter"
            """)

    @OptionGroup var premises: AtPremises
    @Option(help: "The shift that is ending.") var shift: Shift
    @Option(help: "A resident to watch, as WHO: why (repeatable).") var watch: [String] = []
    @Option(help: "A task for the next shift (repeatable).") var task: [String] = []
    @Flag(help: "Print the handover as JSON.") var json = false

    func validate() throws {
        for item in watch {
            let parts = Self.watchParts(item)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--watch takes WHO: why, such as \"dan: came in late\"")
            }
        }
    }

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let residents = try await client.tonight(premisesID)
        let watched = try watch.map { item -> (placementId: String, why: String) in
            let parts = Self.watchParts(item)
            return (try ResidentFinder.find(parts[0], in: residents).placementId, parts[1])
        }
        let notes = try Self.readNotes()
        let handover = try await client.writeHandover(
            path: .init(premisesId: premisesID),
            body: .json(
                .init(
                    shift: try requestValue(shift.rawValue, "--shift"), notes: notes,
                    watch: watched.map { .init(placementId: $0.placementId, why: $0.why) }, tasks: task))
        ).created.body.json
        if json {
            try Terminal.printJSON(handover)
            return
        }
        print("Handover written (\(handover.watch.count) to watch, \(handover.tasks.count) task\(handover.tasks.count == 1 ? "" : "s")).")
    }

    /// "WHO: why" as its two parts, each trimmed (either may be empty).
    static func watchParts(_ item: String) -> [String] {
        item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func readNotes() throws -> String {
        if isatty(STDIN_FILENO) == 1, let editor = ProcessInfo.processInfo.environment["EDITOR"], !editor.isEmpty {
            let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-handover-\(getpid()).txt")
            try "".write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "\(editor) \"$1\"", "editor", file.path]
            try process.run()
            process.waitUntilExit()
            return try String(contentsOf: file, encoding: .utf8)
        }
        var lines = [String]()
        while let line = readLine(strippingNewline: true) { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}

struct HandoverAcknowledge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack", abstract: "Acknowledge every handover waiting for you.", discussion: "Example:  ap handover ack")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Print the acknowledged handovers as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let pending = try await client.pendingHandovers(here.id)
        var acknowledged = [Components.Schemas.Handover]()
        for handover in pending {
            acknowledged.append(try await client.acknowledgeHandover(path: .init(handoverId: handover.id)).ok.body.json)
        }
        if json {
            try Terminal.printJSON(acknowledged)
            return
        }
        print(pending.isEmpty ? "Nothing was waiting for you." : "Acknowledged \(pending.count) handover\(pending.count == 1 ? "" : "s").")
    }
}
