import APClient
import ArgumentParser
import Foundation

struct IncidentAmend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amend",
        abstract: "Amend an incident: what you give replaces that field, the rest stays; the earlier version is kept.",
        discussion: "Example:  ap incident amend 12 --severity critical --reason \"paramedics' assessment\"")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The incident's number.") var number: Int64
    @OptionGroup var fields: IncidentFields
    @Option(help: "Why it is amended.") var reason: String
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the new version as JSON.") var json = false

    func run() async throws {
        let (client, _) = try await service.session()
        let (current, _) = try await client.incident(number)
        let base = Components.Schemas.IncidentDetails(
            kind: try requestValue(current.kind.rawValue, "kind"), severity: try requestValue(current.severity.rawValue, "severity"),
            occurredAt: current.occurredAt, location: current.location,
            summary: current.summary, residents: current.residents.map(\.id), staff: current.staff.map(\.id),
            actionTaken: current.actionTaken,
            told: current.told)
        let details = try await fields.details(client, at: try await Self.premises(current.premisesId, client), starting: base)
        try confirm("Amend incident \(number) (now version \(current.versions)) because \(reason)?", yes: yes)
        let amended = try await client.amendIncident(
            path: .init(incidentNumber: number),
            body: .json(.init(incident: details, reason: reason, amendsVersion: current.version))
        ).created.body.json
        if json {
            try Terminal.printJSON(amended)
            return
        }
        print("Incident \(number) amended: version \(amended.versions).")
    }

    /// The incident's premises, for its time zone.
    static func premises(_ id: String, _ client: Client) async throws -> PremisesContext {
        try PremisesContext(id: id, timeZone: try await client.premises(codeOrID: id).timeZone)
    }
}
