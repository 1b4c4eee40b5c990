import APIContract
import ArgumentParser
import Foundation

extension ServiceClient {
    /// Who is in now, late first.
    func tonight(_ premisesID: String) async throws -> [Components.Schemas.ResidentState] {
        try await call { api in
            switch try await api.getTonight(path: .init(premisesId: premisesID)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
    }
}

/// Finds a resident the way night staff say them: a bed label, initials, or part of a name.
enum ResidentFinder {
    static func find(_ query: String, in residents: [Components.Schemas.ResidentState]) throws -> Components.Schemas.ResidentState {
        let wanted = query.trimmingCharacters(in: .whitespaces).lowercased()
        func initials(_ name: String) -> String { String(name.split(separator: " ").compactMap(\.first)).lowercased() }
        let byBed = residents.filter { $0.bedLabel?.lowercased() == wanted }
        let byInitials = residents.filter { initials($0.personName) == wanted }
        let byName = residents.filter { $0.personName.lowercased().contains(wanted) || $0.crn.lowercased() == wanted }
        for found in [byBed, byInitials, byName] where !found.isEmpty {
            if found.count == 1 { return found[0] }
            throw CLIError("\"\(query)\" could be " + found.map { "\($0.personName) (bed \($0.bedLabel ?? "-"))" }.joined(separator: ", ") + "; say more")
        }
        throw CLIError("no resident here matches \"\(query)\": give a bed number, initials or part of a name (ap tonight lists them)")
    }
}

struct Tonight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who is in, who is out, who is late: what needs action first.",
        discussion: "Example:  ap tonight")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let premisesID = try await premises.resolve(client)
        let residents = try await client.tonight(premisesID)
        if json { try Terminal.printJSON(residents); return }
        func time(_ date: Date?) -> String { date.map(Terminal.clock) ?? "" }
        Terminal.printTable(["", "NAME", "BED", "STATE", "SINCE", "WHERE", "BACK BY", "CURFEW"], residents.map { resident in
            let state = switch resident.state {
            case .late: "LATE \(resident.minutesLate ?? 0) min"
            case .dueBackSoon: "due back soon"
            case .out: "out"
            case .awayWithPermission: "away (permission)"
            case ._in: "in"
            }
            let mark = resident.state == .late ? "!" : (resident.state == .dueBackSoon ? "~" : "")
            return [mark, resident.personName, resident.bedLabel ?? "-", state, resident.state == ._in ? "" : time(resident.since),
                    resident.destination ?? "", time(resident.expectedBack),
                    resident.curfewStart.map { "\(time($0))-\(time(resident.curfewEnd))" } ?? ""]
        })
        let late = residents.filter { $0.state == .late }.count
        let out = residents.filter { $0.state != ._in }.count
        print("\n\(residents.count - out) in, \(out) out\(late > 0 ? ", \(late) late" : "").")
        let pending = try await client.pendingHandovers(premisesID)
        if !pending.isEmpty {
            print("\(pending.count) handover\(pending.count == 1 ? "" : "s") waiting for you: ap handover")
        }
    }
}

/// Signing a resident out or in, shared by `ap out` and `ap in`.
struct MovementOptions: ParsableArguments {
    @Argument(help: "The resident: bed number, initials or part of the name.") var who: String
    @Option(help: "When, if not now: HH:MM today, or ISO 8601.") var at: String?
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the entry as JSON.") var json = false

    func when() throws -> Date? {
        try at.map(Self.parseTime)
    }

    /// A time as night staff give it: HH:MM today (in London), or ISO 8601.
    static func parseTime(_ text: String) throws -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        guard let clock = WallClockParse.parse(text) else { throw ValidationError("give the time as HH:MM or ISO 8601, not \(text)") }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        return calendar.date(bySettingHour: clock.0, minute: clock.1, second: 0, of: Date())!
    }
}

enum WallClockParse {
    static func parse(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return (hour, minute)
    }
}

func recordMovement(_ kind: Components.Schemas.NewMovement.KindPayload, options: MovementOptions, destination: String?, back: String?,
                    permission: Bool, service: ServiceOptions, premises: PremisesOption) async throws {
    let (client, _) = try service.session()
    let resident = try ResidentFinder.find(options.who, in: try await client.tonight(try await premises.resolve(client)))
    let expectedBack = try back.map { text -> Date in
        guard let parsed = WallClockParse.parse(text) else { throw ValidationError("--back must be HH:MM") }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/London")!
        var date = calendar.date(bySettingHour: parsed.0, minute: parsed.1, second: 0, of: Date())!
        if date < Date() { date = date.addingTimeInterval(86_400) }
        return date
    }
    try confirm("Sign \(resident.personName) (bed \(resident.bedLabel ?? "-")) \(kind.rawValue)\(options.at.map { " at \($0)" } ?? " now")?", yes: options.yes)
    let entry = try await client.call { api in
        switch try await api.recordMovement(
            path: .init(placementId: resident.placementId),
            body: .json(.init(kind: kind, occurredAt: try options.when(), destination: destination, expectedBack: expectedBack, withPermission: permission)))
        {
        case .created(let created): try created.body.json
        case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
        }
    }
    if options.json { try Terminal.printJSON(entry); return }
    print("\(resident.personName) signed \(kind.rawValue) at \(Terminal.clock(entry.occurredAt))\(entry.lateEntry ? " (late entry)" : "").")
}

struct SignOut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "out", abstract: "Sign a resident out.",
        discussion: "Example:  ap out 3 --to \"sister's in Salford\" --back 22:30")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var options: MovementOptions
    @Option(name: .customLong("to"), help: "Where to.") var destination: String?
    @Option(help: "Expected back, HH:MM.") var back: String?
    @Flag(help: "Out with permission (approved overnight leave, say).") var permission = false

    func run() async throws {
        try await recordMovement(.out, options: options, destination: destination, back: back, permission: permission, service: service, premises: premises)
    }
}

struct SignIn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "in", abstract: "Sign a resident in.", discussion: "Example:  ap in jd")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @OptionGroup var options: MovementOptions

    func run() async throws {
        try await recordMovement(._in, options: options, destination: nil, back: nil, permission: false, service: service, premises: premises)
    }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the premises' curfew log, night checks and incident log for entries changed, removed or inserted directly in the database.",
        discussion: "Example:  ap verify --premises DEMO-ELM")

    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @Flag(help: "Print the report as JSON (and still fail when a log does not hold).") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let premisesID = try await premises.resolve(client)
        let result = try await client.call { api in
            switch try await api.verifyLogs(path: .init(premisesId: premisesID)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        let names = ["curfew_log": "curfew log", "night_checks": "night checks", "incidents": "incident log"]
        if json {
            try Terminal.printJSON(result)
        } else {
            for log in result.logs {
                let problems = result.problems.filter { $0.log == log.log }
                print("\(names[log.log] ?? log.log): \(log.entries) entries, " + (problems.isEmpty ? "all hold" : "\(problems.count) problem\(problems.count == 1 ? "" : "s")"))
                for problem in problems {
                    print("  entry \(problem.entryId) (#\(problem.chainSeq)): \(problem.problem)")
                }
            }
        }
        guard result.problems.isEmpty else {
            let logs = Set(result.problems.map(\.log)).sorted().map { names[$0] ?? $0 }.joined(separator: ", ")
            throw CLIError("tampered with: \(logs) (\(result.problems.count) problem\(result.problems.count == 1 ? "" : "s"))")
        }
    }
}
