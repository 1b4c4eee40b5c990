import APClient
import ArgumentParser
import Foundation

struct KeyWorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keywork",
        abstract: "Key work: what is due, sessions, agreed actions, key workers.",
        discussion: "Example:  ap keywork due --mine",
        subcommands: [KeyWorkDue.self, KeyWorkRecord.self, KeyWorkSessions.self, KeyWorkDone.self, KeyWorkAssign.self],
        defaultSubcommand: KeyWorkDue.self)
}

extension Client {
    /// A resident's sessions, newest first.
    func keyWorkSessions(_ placementID: String) async throws -> [Components.Schemas.KeyWorkSession] {
        try await listKeyWorkSessions(path: .init(placementId: placementID)).ok.body.json
    }
}

struct KeyWorkDue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due", abstract: "Residents whose session is due or overdue, and actions past their date.",
        discussion: "Example:  ap keywork due --mine")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Only your own residents.") var mine = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let keyWorker = mine ? try await client.me().id : nil
        let due = try await client.getKeyWorkDue(path: .init(premisesId: premisesID), query: .init(keyWorkerId: keyWorker)).ok.body.json
        if json {
            try Terminal.printJSON(due)
            return
        }
        if due.sessions.isEmpty {
            print("No key-work session is due.")
        } else {
            Terminal.printTable(
                ["NAME", "KEY WORKER", "LAST SESSION", "DUE", "OVERDUE"],
                due.sessions.map {
                    [
                        $0.personName, $0.keyWorker ?? "-", $0.lastSessionOn ?? "none", $0.dueOn,
                        $0.daysOverdue == 0 ? "today" : "\($0.daysOverdue) days",
                    ]
                })
        }
        if !due.actions.isEmpty {
            print("\nActions past their date:")
            Terminal.printTable(["NAME", "ACTION", "OWNER", "DUE"], due.actions.map { [$0.personName, $0.action, $0.owner, $0.dueOn] })
        }
    }
}

struct KeyWorkRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Record a key-work session, with the actions agreed.",
        discussion: """
            An action is "what | owner | due date" (the date YYYY-MM-DD or +N days).

            Example:  ap keywork record dan --kind one_to_one --minutes 45 --topic work --notes "Job centre went well" \\
                        --action "Bring payslip | resident | +7" --next +7
            """)

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Option(help: "The kind of session.") var kind: Components.Schemas.KeyWorkSession.KindPayload
    @Option(help: "How long it lasted, in minutes.") var minutes: Int
    @Option(help: "What was talked about and agreed.") var notes: String
    @Option(help: "A topic (repeatable).") var topic: [String] = []
    @Option(help: "An action: \"what | owner | due\" (repeatable).") var action: [String] = []
    @Option(help: "The next session's date (YYYY-MM-DD or +N).") var next: String?
    @Option(help: "When it was held: HH:MM today or ISO 8601 (now when left out).") var at: String?
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the session as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let local = here.local
        let (id, name) = try await resident.placementID(client, at: here)
        let actions = try action.map { text -> Operations.RecordKeyWorkSession.Input.Body.JsonPayload.ActionsPayloadPayload in
            let parts = text.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3 else {
                throw ValidationError("--action takes \"what | owner | due\", such as \"Bring payslip | resident | +7\"")
            }
            return .init(action: parts[0], owner: parts[1], dueOn: try local.date(parts[2], option: "--action's due date"))
        }
        let heldAt = try at.map { try local.time($0) } ?? Date()
        try confirm("Record a \(words(kind.rawValue)) session of \(minutes) minutes with \(name)?", yes: yes)
        let session = try await client.recordKeyWorkSession(
            path: .init(placementId: id),
            body: .json(
                .init(
                    heldAt: heldAt, durationMinutes: minutes, kind: try requestValue(kind.rawValue, "--kind"), topics: topic, notes: notes,
                    nextSessionOn: try next.map { try local.date($0, option: "--next") }, actions: actions))
        ).created.body.json
        if json {
            try Terminal.printJSON(session)
            return
        }
        print("Session recorded with \(name) (\(session.actions.count) action\(session.actions.count == 1 ? "" : "s")).")
    }
}

struct KeyWorkSessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "A resident's sessions, newest first, with their actions numbered.",
        discussion: "Example:  ap keywork sessions dan")

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let local = here.local
        let (id, _) = try await resident.placementID(client, at: here)
        let sessions = try await client.keyWorkSessions(id)
        if json {
            try Terminal.printJSON(sessions)
            return
        }
        if sessions.isEmpty {
            print("No sessions yet.")
            return
        }
        var number = 0
        for session in sessions {
            print(
                "\(local.dayName(session.heldAt)) \(local.clock(session.heldAt))  \(words(session.kind.rawValue)), \(session.durationMinutes) min, by \(session.recordedBy)"
            )
            if !session.topics.isEmpty { print("  topics: \(session.topics.joined(separator: ", "))") }
            print("  \(session.notes)")
            for action in session.actions {
                number += 1
                print(
                    "  [\(number)] \(action.action) (\(action.owner), by \(action.dueOn))"
                        + (action.doneAt.map { " done \(local.dayName($0))" } ?? ""))
            }
            if let next = session.nextSessionOn { print("  next session: \(next)") }
        }
    }
}

struct KeyWorkDone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done", abstract: "Mark an agreed action done: the resident and the action's number in ap keywork sessions.",
        discussion: "Example:  ap keywork done dan 2")

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The action's number, as ap keywork sessions shows it.") var number: Int
    @Flag(help: "Print the action as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let (id, _) = try await resident.placementID(client, at: here)
        let actions = try await client.keyWorkSessions(id).flatMap(\.actions)
        guard (1...actions.count).contains(number) else {
            throw CLIError("there is no action \(number): ap keywork sessions numbers them 1 to \(actions.count)")
        }
        let done = try await client.completeKeyWorkAction(path: .init(actionId: actions[number - 1].id)).ok.body.json
        if json {
            try Terminal.printJSON(done)
            return
        }
        print("Done: \(done.action).")
    }
}

struct KeyWorkAssign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign", abstract: "Give a resident a key worker, by username (managers).",
        discussion: "Example:  ap keywork assign dan keyworker")

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The key worker's username; none to remove.") var username: String

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let (id, name) = try await resident.placementID(client, at: here)
        var staffID: String? = nil
        if username != "none" {
            guard let found = try await client.premisesStaff(premisesID).first(where: { $0.username == username.lowercased() }) else {
                throw CLIError("no one at this premises has the username \(username)")
            }
            staffID = found.id
        }
        _ = try await client.assignKeyWorker(path: .init(placementId: id), body: .json(.init(staffId: staffID))).ok.body.json
        print(staffID == nil ? "\(name) has no key worker now." : "\(name)'s key worker is now \(username).")
    }
}
