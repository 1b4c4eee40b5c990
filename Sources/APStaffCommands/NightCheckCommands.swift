import APClient
import ArgumentParser
import Foundation

extension Client {
    /// A night's rounds; the night in progress when `night` is nil.
    func nightChecks(_ premisesID: String, night: String? = nil) async throws -> Components.Schemas.NightChecks {
        try await getNightChecks(path: .init(premisesId: premisesID), query: .init(night: night)).ok.body.json
    }
}

/// The keys of a night-check round: one per resident.
enum CheckKey {
    static let meanings: [Character: String] = ["s": "seen", "n": "not_seen", "o": "not_in_room", "r": "refused"]
    static let help = "s seen · n not seen · o not in room · r refused · b back · q quit"

    static func words(_ observation: String) -> String { observation.replacingOccurrences(of: "_", with: " ") }
}

/// Orders beds the way staff walk them: room 2 before room 10.
func bedOrder(_ left: String?, _ right: String?) -> Bool {
    (left ?? "~").compare(right ?? "~", options: [.numeric, .caseInsensitive]) == .orderedAscending
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk the night-check round bed by bed, one key per resident.",
        discussion: """
            For each resident, in bed order, press s (seen), n (not seen), o (not in room) or \
            r (refused); b goes back one, q stops without recording. The round recorded is the \
            one due now (or within 15 minutes) unless --due names another of tonight's times. \
            Without a terminal, the keys are read from stdin (ap check -y <<< "ssos").

            Example:  ap check
            """)

    @OptionGroup var premises: AtPremises
    @Option(help: "The round's due time, HH:MM (a missed round recorded late, say).") var due: String?
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the recorded round as JSON.") var json = false

    func run() async throws {
        let (client, config) = try await premises.service.session(retryFor: Offline.retryFor)
        // The residents and tonight's rounds from the service or, when it cannot be reached,
        // as this PC last fetched them (the round is then saved here, to be sent later).
        var offline: OfflineJournal?
        var here: PremisesContext
        var residents: [Components.Schemas.ResidentState]
        var night: Components.Schemas.NightChecks
        do {
            here = try await premises.premises.resolve(client)
            let id = here.id
            async let residentsCall = client.tonight(id)
            async let nightCall = client.nightChecks(id)
            residents = try await residentsCall
            night = try await nightCall
            Offline.keep(config, here, residents: residents, nightChecks: night)
        } catch  where CLIError.isUnreachable(error) {
            let (snapshot, journal) = try Offline.snapshot(config, premises: premises.premises.premises, because: error)
            guard let known = snapshot.nightChecks else {
                throw CLIError(
                    "\(CLIError.unwrapping(error)); nothing is saved: this PC does not know tonight's rounds (run `ap checks` once the service is back)"
                )
            }
            here = try snapshot.context()
            (residents, night, offline) = (snapshot.residents, known, journal)
            if !json { print("OFFLINE — residents as of \(Offline.age(snapshot)); the round is saved on this PC.") }
        }
        let premisesID = here.id
        residents.sort { bedOrder($0.bedLabel, $1.bedLabel) }
        guard !residents.isEmpty else { throw CLIError("nobody is resident here tonight: there is no round to record") }
        let local = here.local
        let round = try Self.round(in: night, due: due, local: local)

        let interactive = isatty(STDIN_FILENO) == 1
        if !json { print("Round due \(local.clock(round.dueAt)), \(residents.count) residents. \(CheckKey.help)") }
        // Each observation with the moment its key was pressed: offline, that is the time stored.
        var answers = [(observation: String, at: Date)]()
        var index = 0
        while index < residents.count {
            let resident = residents[index]
            let hint = resident.state == ._in ? "" : " (signed out \(resident.since.map(local.clock) ?? ""))"
            if !json { Swift.print("  bed \(resident.bedLabel ?? "-")  \(resident.personName)\(hint): ", terminator: "") }
            fflush(nil)
            guard let key = Terminal.readKey() else {
                throw CLIError("the round stopped before every resident was checked: nothing recorded")
            }
            if key == "q" {
                if !json { print("") }
                throw CLIError("nothing recorded")
            }
            if key == "b" {
                if !json { print("back") }
                if index > 0 {
                    index -= 1
                    answers.removeLast()
                }
                continue
            }
            guard let observation = CheckKey.meanings[key] else {
                if !json { print("?  \(CheckKey.help)") }
                if !interactive { throw CLIError("\(Excerpt.quoted(String(key))) is not a check key: \(CheckKey.help)") }
                continue
            }
            if !json { print(CheckKey.words(observation)) }
            answers.append((observation, Date()))
            index += 1
        }
        let counts = Dictionary(grouping: answers.map(\.observation), by: { $0 }).mapValues(\.count)
        let summary = ["seen", "not_seen", "not_in_room", "refused"].compactMap { kind in
            counts[kind].map { "\($0) \(CheckKey.words(kind))" }
        }
        .joined(separator: ", ")
        let confirmedAt = try confirm("Record the \(local.clock(round.dueAt)) round: \(summary)?", yes: yes) ?? answers.last?.at ?? Date()
        let body = Operations.RecordNightCheck.Input.Body.JsonPayload(
            dueAt: round.dueAt,
            observations: try zip(residents, answers).map {
                .init(placementId: $0.placementId, observation: try requestValue($1.observation, "observation"), observedAt: $1.at)
            })
        let key = UUID().uuidString.lowercased()
        let save = { (journal: OfflineJournal) in
            try Offline.save(
                journal, config, summary: "Night check, the \(local.clock(round.dueAt)) round: \(summary)",
                path: "/premises/\(premisesID)/night-checks", body: body, key: key, occurredAt: confirmedAt)
        }
        if let offline { return try save(offline) }
        let recorded: Components.Schemas.NightCheckRound
        do {
            recorded = try await client.recordNightCheck(
                path: .init(premisesId: premisesID), headers: .init(idempotencyKey: key), body: .json(body)
            ).created.body.json
        } catch  where CLIError.isUnreachable(error) {
            return try save(try Offline.snapshot(config, premises: premises.premises.premises, because: error).1)
        }
        if json {
            try Terminal.printJSON(recorded)
            return
        }
        print("Round \(local.clock(recorded.dueAt)) recorded: \(summary)\(recorded.recordedLate ? " (recorded late)" : "").")
    }

    /// The round to record: the one asked for, else the one due now or starting within 15 minutes.
    static func round(in night: Components.Schemas.NightChecks, due: String?, local: LocalTime) throws -> Components.Schemas.NightCheckRound
    {
        let times = night.rounds.map { local.clock($0.dueAt) }.joined(separator: ", ")
        if let due {
            guard let round = night.rounds.first(where: { local.clock($0.dueAt) == due }) else {
                throw CLIError("tonight's rounds are due at \(times); --due \(due) is not one of them")
            }
            guard round.status != .upcoming || round.dueAt <= Date().addingTimeInterval(15 * 60) else {
                throw CLIError("the \(due) round is not due yet")
            }
            guard round.status != .recorded else {
                throw CLIError("the \(due) round is already recorded (by \(round.recordedBy ?? "someone"))")
            }
            return round
        }
        // As the service chooses: the latest round begun or beginning within 15 minutes.
        let soon = Date().addingTimeInterval(15 * 60)
        if let round = night.rounds.last(where: { $0.dueAt <= soon }) {
            if round.status == .recorded {
                throw CLIError(
                    "the \(local.clock(round.dueAt)) round is already recorded (by \(round.recordedBy ?? "someone")); the next is due at "
                        + (night.rounds.first { $0.dueAt > round.dueAt }.map { local.clock($0.dueAt) } ?? "tomorrow night"))
            }
            if round.status != .missed { return round }
        } else if let next = night.rounds.first {
            throw CLIError("no round is due now; the next is at \(local.clock(next.dueAt))")
        }
        throw CLIError("no round is due now (tonight's: \(times)); to record a missed round late, say which with --due HH:MM")
    }
}

struct Checks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tonight's night-check rounds: recorded, missed, due, to come.",
        discussion: "Example:  ap checks            ap checks --night 2026-12-02")

    @OptionGroup var premises: AtPremises
    @Option(help: "The date the night starts (YYYY-MM-DD); the night in progress when left out.") var night: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let local = here.local
        let checks = try await client.nightChecks(here.id, night: night)
        if json {
            try Terminal.printJSON(checks)
            return
        }
        print("Night of \(checks.night), a round every \(checks.intervalMinutes) minutes.")
        Terminal.printTable(
            ["DUE", "STATUS", "RECORDED", "BY", "SEEN", "CONCERNS"],
            checks.rounds.map { round in
                let status =
                    switch round.status {
                    case .recorded: round.recordedLate ? "recorded late" : "recorded"
                    case .missed: "MISSED"
                    case .due: "due now"
                    case .upcoming: "to come"
                    }
                let concerns = round.observations.filter { $0.observation != .seen }
                    .map { "\($0.personName) \(CheckKey.words($0.observation.rawValue))" }.joined(separator: "; ")
                return [
                    local.clock(round.dueAt), status, round.recordedAt.map(local.clock) ?? "", round.recordedBy ?? "",
                    round.status == .recorded
                        ? "\(round.observations.filter { $0.observation == .seen }.count)/\(round.observations.count)" : "",
                    concerns,
                ]
            })
        let missed = checks.rounds.filter { $0.status == .missed }.count
        if missed > 0 { print("\n\(missed) round\(missed == 1 ? "" : "s") missed.") }
    }
}
