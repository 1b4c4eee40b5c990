import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listIncidents(_ input: Operations.ListIncidents.Input) async throws -> Operations.ListIncidents.Output {
        let incidents = try await stores.incidents.list(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), since: input.query.since, before: input.query.before,
            placementID: try Input.optionalUUID(input.query.placementId, field: "placementId"), kind: input.query.kind,
            severity: input.query.severity, by: try RequestScope.caller())
        return .ok(.init(body: .json(incidents.map(Components.Schemas.Incident.init))))
    }

    func recordIncident(_ input: Operations.RecordIncident.Input) async throws -> Operations.RecordIncident.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the incident as JSON") }
        let incident = try await stores.incidents.record(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), try body.domain(), by: try RequestScope.caller())
        return .created(.init(body: .json(.init(incident))))
    }

    func getIncident(_ input: Operations.GetIncident.Input) async throws -> Operations.GetIncident.Output {
        let versions = try await stores.incidents.history(input.path.incidentNumber, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(incident: .init(versions.last!), versions: versions.map(Components.Schemas.Incident.init)))))
    }

    func amendIncident(_ input: Operations.AmendIncident.Input) async throws -> Operations.AmendIncident.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the amendment as JSON") }
        let incident = try await stores.incidents.amend(
            number: input.path.incidentNumber, try body.incident.domain(), reason: body.reason, expectedVersion: body.amendsVersion,
            by: try RequestScope.caller())
        return .created(.init(body: .json(.init(incident))))
    }
}

extension Components.Schemas.IncidentDetails {
    func domain() throws -> IncidentStore.Details {
        IncidentStore.Details(
            kind: kind.rawValue, severity: severity.rawValue, occurredAt: occurredAt, location: location, summary: summary,
            residents: try (residents ?? []).enumerated().map { try Input.uuid($1, field: "residents[\($0)]") },
            staff: try (staff ?? []).enumerated().map { try Input.uuid($1, field: "staff[\($0)]") },
            actionTaken: actionTaken, told: told ?? [])
    }
}

extension Components.Schemas.Incident {
    init(_ incident: ApprovedPremises.Incident) {
        self.init(
            number: incident.number, version: incident.version, versions: incident.versions, premisesId: incident.premisesID.lowercased,
            kind: .init(incident.kind), severity: .init(incident.severity),
            occurredAt: incident.occurredAt, location: incident.location, summary: incident.summary,
            residents: incident.residents.map { .init(id: $0.id.lowercased, name: $0.name) },
            staff: incident.staff.map { .init(id: $0.id.lowercased, name: $0.name) },
            actionTaken: incident.actionTaken, told: incident.told, recordedAt: incident.recordedAt, recordedBy: incident.recordedBy,
            amendsVersion: incident.amendsVersion, amendmentReason: incident.amendmentReason)
    }
}
