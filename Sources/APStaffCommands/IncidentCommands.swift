import APClient
import ArgumentParser
import Foundation

struct IncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "The incident log: record, list, show, amend (the log is append-only: an amendment is a new version).",
        discussion: """
            Kinds: violence_or_threats, self_harm, substance_found, damage, police_attendance, absconding, \
            missed_curfew, medical_emergency, safeguarding, complaint, other. Severities: low, medium, high, critical.

            Example:  ap incident record --kind damage --severity low --where kitchen --resident dj \\
                        --what "cupboard door pulled off" --done "door removed, repair booked" --told "manager on call 01:10"
            """,
        subcommands: [IncidentList.self, IncidentRecord.self, IncidentShow.self, IncidentAmend.self],
        defaultSubcommand: IncidentList.self)
}

extension Client {
    /// An incident as it now stands, and every version of it.
    func incident(_ number: Int64) async throws -> (incident: Components.Schemas.Incident, versions: [Components.Schemas.Incident]) {
        let body = try await getIncident(path: .init(incidentNumber: number)).ok.body.json
        return (body.incident, body.versions)
    }

    /// The staff of a premises.
    func premisesStaff(_ premisesID: String) async throws -> [Components.Schemas.Staff] {
        try await listPremisesStaff(path: .init(premisesId: premisesID)).ok.body.json.items
    }
}

/// The fields of an incident, shared by `record` and `amend` (where each one left out keeps its value).
struct IncidentFields: ParsableArguments {
    @Option(help: "What kind of incident.") var kind: Components.Schemas.Incident.KindPayload?
    @Option(help: "How serious.") var severity: Components.Schemas.Incident.SeverityPayload?
    @Option(help: "When it happened: HH:MM today (the premises' time), or ISO 8601 (now when left out).") var at: String?
    @Option(name: .customLong("where"), help: "Where: a room, the garden, outside.") var location: String?
    @Option(name: .customLong("what"), help: "What happened.") var summary: String?
    @Option(help: "A resident involved (bed number, initials, part of the name; repeatable).") var resident: [String] = []
    @Option(help: "A member of staff involved, by username (repeatable; you when left out on a new incident).") var staff: [String] = []
    @Option(name: .customLong("done"), help: "What was done.") var actionTaken: String?
    @Option(help: "Who was told, and when (repeatable).") var told: [String] = []

    /// The incident these options describe, starting from `base` (an amendment's current version).
    /// Offline (`offline` given: the service cannot be reached), residents are found in the list
    /// this PC last fetched, and the member of staff is the one signed in.
    func details(
        _ client: Client, at premises: PremisesContext, starting base: Components.Schemas.IncidentDetails?,
        offline: OfflineSnapshot? = nil, enteredAt: Date = Date()
    ) async throws -> Components.Schemas.IncidentDetails {
        let residents =
            resident.isEmpty
            ? base?.residents
            : try await {
                let tonight = if let offline { offline.residents } else { try await client.tonight(premises.id) }
                return try resident.map { try ResidentFinder.find($0, in: tonight).placementId }
            }()
        let staffIDs: [String]? = try await {
            if let offline {
                guard staff.isEmpty, let me = offline.staffID else {
                    throw CLIError(
                        "the service cannot be reached, so --staff cannot be looked up: record the incident without it and amend it later")
                }
                return [me]
            }
            if staff.isEmpty { return base == nil ? [try await client.me().id] : base?.staff }
            let team = try await client.premisesStaff(premises.id)
            return try staff.map { name in
                guard let found = team.first(where: { $0.username == name.lowercased() }) else {
                    throw CLIError("no one at this premises has the username \(Excerpt.quoted(name))")
                }
                return found.id
            }
        }()
        let occurredAt = try at.map { try premises.local.time($0) } ?? base?.occurredAt ?? enteredAt
        guard let kind = kind?.rawValue ?? base?.kind.rawValue, let severity = severity?.rawValue ?? base?.severity.rawValue,
            let location = location ?? base?.location,
            let summary = summary ?? base?.summary, let actionTaken = actionTaken ?? base?.actionTaken
        else {
            throw ValidationError("a new incident needs --kind, --severity, --where, --what and --done")
        }
        return .init(
            kind: try requestValue(kind, "--kind"), severity: try requestValue(severity, "--severity"), occurredAt: occurredAt,
            location: location, summary: summary, residents: residents ?? [],
            staff: staffIDs ?? [], actionTaken: actionTaken, told: told.isEmpty ? base?.told : told)
    }
}

/// An incident version as text, its times in the premises' zone.
enum IncidentPrinter {
    static func print(_ incident: Components.Schemas.Incident, local: LocalTime) {
        let kind = words(incident.kind.rawValue)
        Swift.print(
            "Incident \(incident.number) (version \(incident.versions)): \(kind), \(incident.severity.rawValue), "
                + "\(local.clock(incident.occurredAt)) \(local.dayName(incident.occurredAt)), \(incident.location)")
        Swift.print("  What happened: \(incident.summary)")
        if !incident.residents.isEmpty { Swift.print("  Residents: \(incident.residents.map(\.name).joined(separator: ", "))") }
        if !incident.staff.isEmpty { Swift.print("  Staff: \(incident.staff.map(\.name).joined(separator: ", "))") }
        Swift.print("  What was done: \(incident.actionTaken)")
        if !incident.told.isEmpty { Swift.print("  Told: \(incident.told.joined(separator: "; "))") }
        Swift.print(
            "  Recorded by \(incident.recordedBy) at \(local.clock(incident.recordedAt))"
                + (incident.amendmentReason.map { ", amending version \(incident.amendsVersion ?? 0): \($0)" } ?? ""))
    }
}

struct IncidentList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Incidents as they now stand, newest first.",
        discussion: "Example:  ap incident list --since 2026-12-01")

    @OptionGroup var premises: AtPremises
    @Option(help: "Only those since this date (YYYY-MM-DD).") var since: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let local = here.local
        let from = try since.map { try local.startOfDay($0, option: "--since") }
        let incidents = try await client.listIncidents(path: .init(premisesId: premisesID), query: .init(since: from)).ok.body.json
        if json {
            try Terminal.printJSON(incidents)
            return
        }
        if incidents.isEmpty {
            print("No incidents recorded.")
            return
        }
        Terminal.printTable(
            ["NO", "WHEN", "KIND", "SEVERITY", "WHERE", "RESIDENTS", "VERSIONS"],
            incidents.map {
                [
                    "\($0.number)", "\(local.dayName($0.occurredAt)) \(local.clock($0.occurredAt))",
                    $0.kind.rawValue.replacingOccurrences(of: "_", with: " "), $0.severity.rawValue, $0.location,
                    $0.residents.map(\.name).joined(separator: ", "), "\($0.versions)",
                ]
            })
    }
}

struct IncidentRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Record an incident.",
        discussion:
            "Example:  ap incident record --kind self_harm --severity high --where \"room 4\" --resident 4 --what \"...\" --done \"...\" --told \"PP 02:20\""
    )

    @OptionGroup var premises: AtPremises
    @OptionGroup var fields: IncidentFields
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the incident as JSON.") var json = false

    /// Records the incident; when the service cannot be reached, keeps it on this PC (with the
    /// time it happened) to be sent when it is back.
    func run() async throws {
        // Without --at, the incident happened when the command was typed, not when it was sent.
        let enteredAt = Date()
        let (client, config) = try await premises.service.session(retryFor: Offline.retryFor)
        let key = UUID().uuidString.lowercased()
        var asked: Components.Schemas.IncidentDetails?
        do {
            let here = try await premises.premises.resolve(client)
            let details = try await fields.details(client, at: here, starting: nil, enteredAt: enteredAt)
            try confirm(Self.question(details), yes: yes)
            asked = details
            let incident = try await client.recordIncident(
                path: .init(premisesId: here.id), headers: .init(idempotencyKey: key), body: .json(details)
            )
            .created.body.json
            if json {
                try Terminal.printJSON(incident)
                return
            }
            print("Incident \(incident.number) recorded.")
        } catch  where CLIError.isUnreachable(error) {
            let (snapshot, journal) = try Offline.snapshot(config, premises: premises.premises.premises, because: error)
            let here = try snapshot.context()
            let details: Components.Schemas.IncidentDetails
            if let asked {
                details = asked
            } else {
                details = try await fields.details(client, at: here, starting: nil, offline: snapshot, enteredAt: enteredAt)
                try confirm(Self.question(details), yes: yes)
            }
            try Offline.save(
                journal, config,
                summary: "Incident: \(details.kind.rawValue.replacingOccurrences(of: "_", with: " ")) at \(details.location), "
                    + "\(here.local.clock(details.occurredAt)) \(here.local.dayName(details.occurredAt))",
                path: "/premises/\(here.id)/incidents", body: details, key: key, occurredAt: details.occurredAt)
        }
    }

    static func question(_ details: Components.Schemas.IncidentDetails) -> String {
        "Record a \(details.severity.rawValue) \(details.kind.rawValue.replacingOccurrences(of: "_", with: " ")) incident at \(details.location)?"
    }
}

struct IncidentShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "An incident with every version, the first first.", discussion: "Example:  ap incident show 12")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The incident's number.") var number: Int64
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, _) = try await service.session()
        let (incident, versions) = try await client.incident(number)
        if json {
            try Terminal.printJSON(["incident": [incident], "versions": versions])
            return
        }
        let local = try await IncidentAmend.premises(incident.premisesId, client).local
        for (index, version) in versions.enumerated() {
            if index > 0 { print("") }
            IncidentPrinter.print(version, local: local)
        }
    }
}
