import APIContract
import ArgumentParser
import Foundation

/// Finding the resident a day-time command is about: a current resident as `ap tonight` finds
/// them, or (for someone who has left) the placement's id.
struct ResidentArgument: ParsableArguments {
    @Argument(help: "The resident: bed number, initials, part of the name, or a placement id.") var who: String

    func placementID(_ client: ServiceClient, premisesID: String) async throws -> (id: String, name: String) {
        if UUID(uuidString: who) != nil { return (who.lowercased(), who) }
        do {
            let resident = try ResidentFinder.find(who, in: try await client.tonight(premisesID))
            return (resident.placementId, resident.personName)
        } catch let notHere as CLIError {
            // Someone who has left in the last year: by name or CRN only.
            let wanted = who.lowercased()
            let left = try await client.call { api in
                switch try await api.listPlacements(path: .init(premisesId: premisesID),
                                                    query: .init(from: try DateArgument.parse("+-365", option: "from"), to: try DateArgument.parse("+1", option: "to"))) {
                case .ok(let ok): try ok.body.json
                case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
                }
            }.filter { $0.departedAt != nil && ($0.personName.lowercased().contains(wanted) || $0.crn.lowercased() == wanted) }
            guard left.count == 1 else { throw notHere }
            return (left[0].id, left[0].personName)
        }
    }
}

/// A date as staff type it: YYYY-MM-DD, or +N for N days from today.
enum DateArgument {
    static func parse(_ text: String, option: String) throws -> String {
        if text.hasPrefix("+"), let days = Int(text.dropFirst()) {  // "+-365" is a year ago
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/London")!
            let date = calendar.date(byAdding: .day, value: days, to: Date())!
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
        }
        guard text.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else {
            throw ValidationError("\(option) takes a date, YYYY-MM-DD, or +N for N days from today")
        }
        return text
    }
}

func words(_ code: String) -> String { code.replacingOccurrences(of: "_", with: " ") }

// MARK: - ap resident

struct ResidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resident",
        abstract: "A resident's record: everything this system knows, newest first; --summary for the departure summary.",
        discussion: "Example:  ap resident dan            ap resident dan --summary > summary.txt")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Flag(help: "The handover summary for the probation practitioner instead of the timeline.") var summary = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let (id, _) = try await resident.placementID(client, premisesID: try await premises.resolve(client))
        if summary {
            if json {
                try Terminal.printJSON(try await client.call { api in
                    switch try await api.getDepartureSummary(path: .init(placementId: id)) {
                    case .ok(let ok): try ok.body.json
                    case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
                    }
                })
                return
            }
            let text = try await client.call { api in
                switch try await api.getDepartureSummaryText(path: .init(placementId: id)) {
                case .ok(let ok): try await String(collecting: try ok.body.plainText, upTo: 1 << 20)
                case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
                }
            }
            print(text, terminator: "")
            return
        }
        let record = try await client.call { api in
            switch try await api.getResidentRecord(path: .init(placementId: id)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(record); return }
        print("\(record.personName) (\(record.crn)), \(words(record.status))")
        for entry in record.entries {
            print("\(entry.at.formatted(date: .abbreviated, time: .omitted)) \(Terminal.clock(entry.at))  \(entry.title)")
            for line in (entry.detail ?? "").split(separator: "\n") where !line.isEmpty {
                print("                     \(line)")
            }
        }
    }
}

// MARK: - ap keywork

struct KeyWorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keywork",
        abstract: "Key work: what is due, sessions, agreed actions, key workers.",
        discussion: "Example:  ap keywork due --mine",
        subcommands: [KeyWorkDue.self, KeyWorkRecord.self, KeyWorkSessions.self, KeyWorkDone.self, KeyWorkAssign.self],
        defaultSubcommand: KeyWorkDue.self)
}

extension ServiceClient {
    func keyWorkSessions(_ placementID: String) async throws -> [Components.Schemas.KeyWorkSession] {
        try await call { api in
            switch try await api.listKeyWorkSessions(path: .init(placementId: placementID)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
    }
}

struct KeyWorkDue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due", abstract: "Residents whose session is due or overdue, and actions past their date.",
        discussion: "Example:  ap keywork due --mine")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @Flag(help: "Only your own residents.") var mine = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let premisesID = try await premises.resolve(client)
        let keyWorker = mine ? try await client.me().id : nil
        let due = try await client.call { api in
            switch try await api.getKeyWorkDue(path: .init(premisesId: premisesID), query: .init(keyWorkerId: keyWorker)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(due); return }
        if due.sessions.isEmpty {
            print("No key-work session is due.")
        } else {
            Terminal.printTable(["NAME", "KEY WORKER", "LAST SESSION", "DUE", "OVERDUE"], due.sessions.map {
                [$0.personName, $0.keyWorker ?? "-", $0.lastSessionOn ?? "none", $0.dueOn, $0.daysOverdue == 0 ? "today" : "\($0.daysOverdue) days"]
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
            Kinds: induction, one_to_one, relapse_prevention, move_on_planning, other. An action is \
            "what | owner | due date" (the date YYYY-MM-DD or +N days).

            Example:  ap keywork record dan --kind one_to_one --minutes 45 --topic work --notes "Job centre went well" \\
                        --action "Bring payslip | resident | +7" --next +7
            """)

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Option(help: "The kind of session.") var kind: String
    @Option(help: "How long it lasted, in minutes.") var minutes: Int
    @Option(help: "What was talked about and agreed.") var notes: String
    @Option(help: "A topic (repeatable).") var topic: [String] = []
    @Option(help: "An action: \"what | owner | due\" (repeatable).") var action: [String] = []
    @Option(help: "The next session's date (YYYY-MM-DD or +N).") var next: String?
    @Option(help: "When it was held: HH:MM today or ISO 8601 (now when left out).") var at: String?
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the session as JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let (id, name) = try await resident.placementID(client, premisesID: try await premises.resolve(client))
        let actions = try action.map { text -> Operations.RecordKeyWorkSession.Input.Body.JsonPayload.ActionsPayloadPayload in
            let parts = text.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3 else { throw ValidationError("--action takes \"what | owner | due\", such as \"Bring payslip | resident | +7\"") }
            return .init(action: parts[0], owner: parts[1], dueOn: try DateArgument.parse(parts[2], option: "--action's due date"))
        }
        let heldAt = try at.map(MovementOptions.parseTime) ?? Date()
        try confirm("Record a \(words(kind)) session of \(minutes) minutes with \(name)?", yes: yes)
        let session = try await client.call { api in
            switch try await api.recordKeyWorkSession(path: .init(placementId: id), body: .json(.init(
                heldAt: heldAt, durationMinutes: minutes, kind: kind, topics: topic, notes: notes,
                nextSessionOn: try next.map { try DateArgument.parse($0, option: "--next") }, actions: actions)))
            {
            case .created(let created): try created.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(session); return }
        print("Session recorded with \(name) (\(session.actions.count) action\(session.actions.count == 1 ? "" : "s")).")
    }
}

struct KeyWorkSessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "A resident's sessions, newest first, with their actions numbered.",
        discussion: "Example:  ap keywork sessions dan")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let (id, _) = try await resident.placementID(client, premisesID: try await premises.resolve(client))
        let sessions = try await client.keyWorkSessions(id)
        if json { try Terminal.printJSON(sessions); return }
        if sessions.isEmpty { print("No sessions yet."); return }
        var number = 0
        for session in sessions {
            print("\(session.heldAt.formatted(date: .abbreviated, time: .shortened))  \(words(session.kind.rawValue)), \(session.durationMinutes) min, by \(session.recordedBy)")
            if !session.topics.isEmpty { print("  topics: \(session.topics.joined(separator: ", "))") }
            print("  \(session.notes)")
            for action in session.actions {
                number += 1
                print("  [\(number)] \(action.action) (\(action.owner), by \(action.dueOn))" + (action.doneAt.map { " done \($0.formatted(date: .abbreviated, time: .omitted))" } ?? ""))
            }
            if let next = session.nextSessionOn { print("  next session: \(next)") }
        }
    }
}

struct KeyWorkDone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done", abstract: "Mark an agreed action done: the resident and the action's number in ap keywork sessions.",
        discussion: "Example:  ap keywork done dan 2")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The action's number, as ap keywork sessions shows it.") var number: Int
    @Flag(help: "Print the action as JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let (id, _) = try await resident.placementID(client, premisesID: try await premises.resolve(client))
        let actions = try await client.keyWorkSessions(id).flatMap(\.actions)
        guard (1...actions.count).contains(number) else { throw CLIError("there is no action \(number): ap keywork sessions numbers them 1 to \(actions.count)") }
        let done = try await client.call { api in
            switch try await api.completeKeyWorkAction(path: .init(actionId: actions[number - 1].id)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(done); return }
        print("Done: \(done.action).")
    }
}

struct KeyWorkAssign: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign", abstract: "Give a resident a key worker, by username (managers).",
        discussion: "Example:  ap keywork assign dan keyworker")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The key worker's username; none to remove.") var username: String

    func run() async throws {
        let (client, _) = try service.session()
        let premisesID = try await premises.resolve(client)
        let (id, name) = try await resident.placementID(client, premisesID: premisesID)
        var staffID: String? = nil
        if username != "none" {
            guard let found = try await client.premisesStaff(premisesID).first(where: { $0.username == username.lowercased() }) else {
                throw CLIError("no one at this premises has the username \(username)")
            }
            staffID = found.id
        }
        _ = try await client.call { api in
            switch try await api.assignKeyWorker(path: .init(placementId: id), body: .json(.init(staffId: staffID))) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        print(staffID == nil ? "\(name) has no key worker now." : "\(name)'s key worker is now \(username).")
    }
}

// MARK: - ap tests

struct TestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tests",
        abstract: "Drug and alcohol testing: list, record taken or missed, custody, results, follow-ups, authorisation.",
        discussion: "Example:  ap tests --pending",
        subcommands: [TestsList.self, TestRecord.self, TestCustody.self, TestResults.self, TestFollowUp.self, TestAuthorise.self],
        defaultSubcommand: TestsList.self)
}

extension ServiceClient {
    func premisesTests(_ premisesID: String, pending: Bool) async throws -> [Components.Schemas.SubstanceTest] {
        try await call { api in
            switch try await api.listPremisesTests(path: .init(premisesId: premisesID), query: .init(pending: pending)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
    }
}

/// Picks a test by the start of its id, or a resident's latest test that `wanted` accepts.
struct TestArgument: ParsableArguments {
    @Argument(help: "The test's id (its first characters, as ap tests shows them) or the resident.") var which: String

    func find(_ client: ServiceClient, premisesID: String, wanted: (Components.Schemas.SubstanceTest) -> Bool, describe: String) async throws -> Components.Schemas.SubstanceTest {
        let tests = try await client.premisesTests(premisesID, pending: false)
        let byID = tests.filter { which.count >= 6 && $0.id.hasPrefix(which.lowercased()) }
        if byID.count == 1 { return byID[0] }
        let resident = try ResidentFinder.find(which, in: try await client.tonight(premisesID))
        guard let test = tests.first(where: { $0.placementId == resident.placementId && wanted($0) }) else {
            throw CLIError("\(resident.personName) has no test \(describe)")
        }
        return test
    }
}

enum TestPrinter {
    static func summary(_ test: Components.Schemas.SubstanceTest) -> String {
        if let missed = test.missedReason { return "missed: \(words(missed.rawValue))" + (test.missedNote.map { " (\($0))" } ?? "") }
        if test.results.isEmpty { return "awaiting results" + (test.custody.last.map { " (\(words($0.step.rawValue)))" } ?? "") }
        return test.results.map { "\(words($0.substance)) \(words($0.result.rawValue))" + ($0.reading.map { " \(Int($0)) µg" } ?? "") }.joined(separator: ", ")
    }
}

struct TestsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Tests, newest first; --pending for laboratory results overdue.",
        discussion: "Example:  ap tests list --pending")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @Flag(help: "Only laboratory samples whose results are overdue.") var pending = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let tests = try await client.premisesTests(try await premises.resolve(client), pending: pending)
        if json { try Terminal.printJSON(tests); return }
        if tests.isEmpty { print(pending ? "No laboratory results are overdue." : "No tests recorded."); return }
        Terminal.printTable(["ID", "NAME", "REQUIRED", "REASON", "SAMPLE", "RESULT", "FOLLOW-UP"], tests.map {
            [String($0.id.prefix(8)), $0.personName, "\($0.requiredAt.formatted(date: .abbreviated, time: .omitted)) \(Terminal.clock($0.requiredAt))",
             words($0.reason.rawValue), words($0.sampleType.rawValue), TestPrinter.summary($0),
             $0.needsFollowUp ? "NEEDED" : $0.followUps.map { words($0.action.rawValue) }.joined(separator: ", ")]
        })
    }
}

struct TestRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Record a required test: taken (--taken) or missed (--missed REASON).",
        discussion: """
            Reasons: on_arrival, random, on_suspicion, routine. Samples: urine_lab (with --sample-number), \
            urine_instant, oral_fluid, breath. Missed: no_kit, resident_absent, other (with --note).

            Example:  ap tests record dan --reason random --sample urine_lab --taken --sample-number S-1001
                      ap tests record dan --reason random --sample breath --missed no_kit
            """)

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Option(help: "Why the test was required.") var reason: String
    @Option(help: "The sample type.") var sample: String
    @Flag(help: "The sample was taken (now, or --at).") var taken = false
    @Option(help: "Why it was not taken.") var missed: String?
    @Option(help: "The seal or sample number.") var sampleNumber: String?
    @Option(help: "A note (why it was missed, for other).") var note: String?
    @Option(help: "When: HH:MM today or ISO 8601 (now when left out).") var at: String?
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the test as JSON.") var json = false

    func validate() throws {
        guard taken != (missed != nil) else { throw ValidationError("give --taken or --missed REASON: a required test is one or the other") }
    }

    func run() async throws {
        let (client, _) = try service.session()
        let (id, name) = try await resident.placementID(client, premisesID: try await premises.resolve(client))
        let when = try at.map(MovementOptions.parseTime) ?? Date()
        try confirm("Record \(name)'s \(words(reason)) \(words(sample)) test as \(taken ? "taken" : "missed (\(words(missed ?? "")))")?", yes: yes)
        let test = try await client.call { api in
            switch try await api.recordTest(path: .init(placementId: id), body: .json(.init(
                reason: reason, sampleType: sample, requiredAt: when, takenAt: taken ? when : nil, sampleNumber: sampleNumber,
                missedReason: missed, missedNote: note)))
            {
            case .created(let created): try created.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(test); return }
        print("Test \(test.id.prefix(8)) recorded for \(name): \(TestPrinter.summary(test)).")
    }
}

struct TestCustody: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custody", abstract: "The next custody step of a laboratory sample: sealed, sent_to_lab, received_by_lab.",
        discussion: "Example:  ap tests custody dan sent_to_lab --person \"DX courier\"")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var test: TestArgument
    @Argument(help: "The step.") var step: String
    @Option(help: "Who handled the sample.") var person: String
    @Option(help: "When: HH:MM today or ISO 8601 (now when left out).") var at: String?
    @Flag(help: "Print the test as JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let found = try await test.find(client, premisesID: try await premises.resolve(client), wanted: { $0.awaitingResults && $0.sampleType == .urineLab },
                                        describe: "at the laboratory awaiting results")
        let updated = try await client.call { api in
            switch try await api.recordCustodyStep(path: .init(testId: found.id),
                                                   body: .json(.init(step: step, at: try at.map(MovementOptions.parseTime), person: person))) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(updated); return }
        print("\(updated.personName)'s sample \(updated.sampleNumber ?? ""): " + updated.custody.map { words($0.step.rawValue) }.joined(separator: " → ") + ".")
    }
}

struct TestResults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results", abstract: "Record a test's results: substance=result, alcohol=positive:41 for a breath reading.",
        discussion: """
            Substances: opiates, cocaine, amphetamines, cannabis, benzodiazepines, buprenorphine, methadone, \
            synthetic_cannabinoids, other, alcohol, whole_sample. Results: negative, positive, positive_prescribed, \
            dilute, tampered, refused, unable_to_provide.

            Example:  ap tests results dan cannabis=positive opiates=negative --received 2026-12-09T14:30:00Z
                      ap tests results dan whole_sample=refused
            """)

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var test: TestArgument
    @Argument(help: "substance=result[:reading], one per substance.") var results: [String]
    @Option(help: "When the laboratory's result came: HH:MM today or ISO 8601.") var received: String?
    @Flag(help: "Print the test as JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let found = try await test.find(client, premisesID: try await premises.resolve(client), wanted: \.awaitingResults, describe: "awaiting results")
        let parsed = try results.map { item -> Operations.RecordTestResults.Input.Body.JsonPayload.ResultsPayloadPayload in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("give each result as substance=result, such as cannabis=negative") }
            let outcome = parts[1].split(separator: ":", maxSplits: 1).map(String.init)
            return .init(substance: parts[0], result: outcome[0], reading: outcome.count == 2 ? Double(outcome[1]) : nil)
        }
        let updated = try await client.call { api in
            switch try await api.recordTestResults(path: .init(testId: found.id),
                                                   body: .json(.init(receivedAt: try received.map(MovementOptions.parseTime), results: parsed))) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(updated); return }
        print("\(updated.personName): \(TestPrinter.summary(updated))\(updated.needsFollowUp ? " — needs a follow-up (ap tests follow-up)" : "").")
    }
}

struct TestFollowUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow-up", abstract: "What was done about a positive or refused result: referral_to_substance_services, warning, reported_to_pp.",
        discussion: "Example:  ap tests follow-up dan warning --note \"written warning given\"")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var test: TestArgument
    @Argument(help: "The action.") var action: String
    @Option(help: "A note.") var note: String?
    @Flag(help: "Print the test as JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let found = try await test.find(client, premisesID: try await premises.resolve(client), wanted: \.needsFollowUp, describe: "needing a follow-up")
        let updated = try await client.call { api in
            switch try await api.recordTestFollowUp(path: .init(testId: found.id), body: .json(.init(action: action, note: note))) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(updated); return }
        print("\(updated.personName)'s test followed up: \(updated.followUps.map { words($0.action.rawValue) }.joined(separator: ", ")).")
    }
}

struct TestAuthorise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authorise", abstract: "The AP manager's authorisation for testing at the premises; without options, the authorisations so far.",
        discussion: "Example:  ap tests authorise --reason random --reason on_suspicion --reason on_arrival --from 2026-12-01 --note \"Policy v3\"")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @Option(help: "A reason tests may be required for (repeatable): on_arrival, random, on_suspicion, routine.") var reason: [String] = []
    @Option(help: "The first day covered (YYYY-MM-DD).") var from: String?
    @Option(help: "The day after the last day covered; open-ended when left out.") var until: String?
    @Option(help: "What the authorisation rests on.") var note: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let premisesID = try await premises.resolve(client)
        guard !reason.isEmpty else {
            let list = try await client.call { api in
                switch try await api.listTestingAuthorisations(path: .init(premisesId: premisesID)) {
                case .ok(let ok): try ok.body.json
                case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
                }
            }
            if json { try Terminal.printJSON(list); return }
            Terminal.printTable(["FROM", "UNTIL", "REASONS", "BY", "NOTE"], list.map {
                [$0.from, $0.until ?? "open", $0.reasons.map(words).joined(separator: ", "), $0.authorisedBy, $0.note]
            })
            return
        }
        guard let from, let note else { throw ValidationError("an authorisation needs --from and --note") }
        let authorisation = try await client.call { api in
            switch try await api.authoriseTesting(path: .init(premisesId: premisesID), body: .json(.init(reasons: reason, from: from, until: until, note: note))) {
            case .created(let created): try created.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(authorisation); return }
        print("Testing authorised from \(authorisation.from): \(authorisation.reasons.map(words).joined(separator: ", ")).")
    }
}

// MARK: - ap moveon

struct MoveOnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moveon",
        abstract: "Move-on plans: who is near leaving with nowhere to go, a resident's plan, pathways, the address.",
        discussion: "Example:  ap moveon flags",
        subcommands: [MoveOnFlags.self, MoveOnShow.self, MoveOnPathway.self, MoveOnUpdate.self, MoveOnAddress.self],
        defaultSubcommand: MoveOnFlags.self)
}

extension ServiceClient {
    func moveOnPlan(_ placementID: String) async throws -> Components.Schemas.MoveOnPlan {
        try await call { api in
            switch try await api.getMoveOnPlan(path: .init(placementId: placementID)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
    }
}

enum MoveOnPrinter {
    static func print(_ plan: Components.Schemas.MoveOnPlan) {
        Swift.print("\(plan.personName): expected to leave \(plan.targetDate)" + (plan.closedAt != nil ? " (left; plan closed\(plan.moveOnCategory.map { ", \($0)" } ?? ""))" : ""))
        Swift.print("Address: " + (plan.address.map { "\($0) (confirmed \(plan.addressConfirmedOn ?? ""))" } ?? "none confirmed"))
        for pathway in plan.pathways {
            Swift.print("  \(words(pathway.kind))\(pathway.detail.map { " (\($0))" } ?? ""): \(words(pathway.status))")
            for update in pathway.updates { Swift.print("      \(update.on) \(words(update.status))\(update.note.map { ": \($0)" } ?? "") (\(update.by))") }
        }
    }
}

struct MoveOnFlags: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags", abstract: "Residents within four weeks of their expected departure with no confirmed address.",
        discussion: "Example:  ap moveon flags --mine")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @Flag(help: "Only your own residents.") var mine = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let premisesID = try await premises.resolve(client)
        let keyWorker = mine ? try await client.me().id : nil
        let flags = try await client.call { api in
            switch try await api.listMoveOnFlags(path: .init(premisesId: premisesID), query: .init(keyWorkerId: keyWorker)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(flags); return }
        if flags.isEmpty { print("Nobody is within four weeks of leaving without an address."); return }
        Terminal.printTable(["NAME", "KEY WORKER", "LEAVES", "DAYS LEFT", "PATHWAYS"], flags.map {
            [$0.personName, $0.keyWorker ?? "-", $0.targetDate, "\($0.daysLeft)", $0.pathways.map(words).joined(separator: "; ")]
        })
    }
}

struct MoveOnShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A resident's move-on plan.", discussion: "Example:  ap moveon show dan")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let (id, _) = try await resident.placementID(client, premisesID: try await premises.resolve(client))
        let plan = try await client.moveOnPlan(id)
        if json { try Terminal.printJSON(plan); return }
        MoveOnPrinter.print(plan)
    }
}

struct MoveOnPathway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pathway", abstract: "Add a pathway: local_authority_housing, cas3_referral, private_rented, family, supported_housing, other.",
        discussion: "Example:  ap moveon pathway dan cas3_referral --detail \"CAS3 Manchester\"")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The kind of pathway.") var kind: String
    @Option(help: "Which scheme, landlord or person.") var detail: String?
    @Flag(help: "Print the plan as JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let (id, _) = try await resident.placementID(client, premisesID: try await premises.resolve(client))
        let plan = try await client.call { api in
            switch try await api.addMoveOnPathway(path: .init(placementId: id), body: .json(.init(kind: kind, detail: detail))) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(plan); return }
        MoveOnPrinter.print(plan)
    }
}

struct MoveOnUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "A pathway's new status: planned, applied, in_progress, offered, accepted, declined, withdrawn.",
        discussion: "Example:  ap moveon update dan cas3_referral applied --note \"referral sent\"")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The pathway's kind (the resident's latest of that kind).") var kind: String
    @Argument(help: "The new status.") var status: String
    @Option(name: .customLong("on"), help: "The date it happened (YYYY-MM-DD); today when left out.") var date: String?
    @Option(help: "A note.") var note: String?
    @Flag(help: "Print the plan as JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let (id, name) = try await resident.placementID(client, premisesID: try await premises.resolve(client))
        guard let pathway = try await client.moveOnPlan(id).pathways.last(where: { $0.kind == kind }) else {
            throw CLIError("\(name) has no \(words(kind)) pathway: add it with ap moveon pathway")
        }
        let plan = try await client.call { api in
            switch try await api.updateMoveOnPathway(path: .init(pathwayId: pathway.id), body: .json(.init(status: status, on: date, note: note))) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(plan); return }
        MoveOnPrinter.print(plan)
    }
}

struct MoveOnAddress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "address", abstract: "The address found for after the AP.",
        discussion: "Example:  ap moveon address dan \"Flat 2, 10 Hope Street, Manchester M14 5AB\"")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The address.") var address: String
    @Option(name: .customLong("on"), help: "When it was confirmed (YYYY-MM-DD); today when left out.") var date: String?
    @Flag(help: "Print the plan as JSON.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let (id, _) = try await resident.placementID(client, premisesID: try await premises.resolve(client))
        let plan = try await client.call { api in
            switch try await api.setMoveOnAddress(path: .init(placementId: id), body: .json(.init(address: address, confirmedOn: date))) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(plan); return }
        MoveOnPrinter.print(plan)
    }
}
