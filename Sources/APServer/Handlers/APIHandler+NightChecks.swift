import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func getNightChecks(_ input: Operations.GetNightChecks.Input) async throws -> Operations.GetNightChecks.Output {
        let night = try await NightCheckStore(pool: pool).rounds(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), night: try Input.optionalDate(input.query.night, field: "night"),
            by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(night: night.night.description, intervalMinutes: night.intervalMinutes,
                                           rounds: night.rounds.map(Components.Schemas.NightCheckRound.init)))))
    }

    func recordNightCheck(_ input: Operations.RecordNightCheck.Input) async throws -> Operations.RecordNightCheck.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the round as JSON") }
        let entries = try body.observations.enumerated().map { index, line in
            NightCheckStore.Entry(placementID: try Input.uuid(line.placementId, field: "observations[\(index)].placementId"),
                                  observation: line.observation, observedAt: line.observedAt, note: line.note)
        }
        let round = try await NightCheckStore(pool: pool).record(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), dueAt: body.dueAt, entries: entries, by: try RequestScope.caller())
        return .created(.init(body: .json(.init(round))))
    }

    func listIncidents(_ input: Operations.ListIncidents.Input) async throws -> Operations.ListIncidents.Output {
        let incidents = try await IncidentStore(pool: pool).list(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), since: input.query.since,
            placementID: try Input.optionalUUID(input.query.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(incidents.map(Components.Schemas.Incident.init))))
    }

    func recordIncident(_ input: Operations.RecordIncident.Input) async throws -> Operations.RecordIncident.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the incident as JSON") }
        let incident = try await IncidentStore(pool: pool).record(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), try body.domain(), by: try RequestScope.caller())
        return .created(.init(body: .json(.init(incident))))
    }

    func getIncident(_ input: Operations.GetIncident.Input) async throws -> Operations.GetIncident.Output {
        let versions = try await IncidentStore(pool: pool).history(input.path.incidentNumber, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(incident: .init(versions.last!), versions: versions.map(Components.Schemas.Incident.init)))))
    }

    func amendIncident(_ input: Operations.AmendIncident.Input) async throws -> Operations.AmendIncident.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the amendment as JSON") }
        let incident = try await IncidentStore(pool: pool).amend(
            number: input.path.incidentNumber, try body.incident.domain(), reason: body.reason, expectedVersion: body.amendsVersion,
            by: try RequestScope.caller())
        return .created(.init(body: .json(.init(incident))))
    }
}

extension Components.Schemas.IncidentDetails {
    func domain() throws -> IncidentStore.Details {
        IncidentStore.Details(
            kind: kind, severity: severity, occurredAt: occurredAt, location: location, summary: summary,
            residents: try (residents ?? []).enumerated().map { try Input.uuid($1, field: "residents[\($0)]") },
            staff: try (staff ?? []).enumerated().map { try Input.uuid($1, field: "staff[\($0)]") },
            actionTaken: actionTaken, told: told ?? [])
    }
}

extension Components.Schemas.NightCheckRound {
    init(_ round: ApprovedPremises.NightCheckRound) {
        self.init(dueAt: round.dueAt, status: .init(round.status), recordedAt: round.recordedAt, recordedBy: round.recordedBy,
                  recordedLate: round.recordedLate, observations: round.observations.map {
                      .init(placementId: $0.placementID.lowercased, personName: $0.personName, bedLabel: $0.bedLabel,
                            observation: .init($0.observation), observedAt: $0.observedAt, note: $0.note)
                  })
    }
}

extension Components.Schemas.Incident {
    init(_ incident: ApprovedPremises.Incident) {
        self.init(number: incident.number, version: incident.version, versions: incident.versions, premisesId: incident.premisesID.lowercased,
                  kind: .init(incident.kind), severity: .init(incident.severity),
                  occurredAt: incident.occurredAt, location: incident.location, summary: incident.summary,
                  residents: incident.residents.map { .init(id: $0.id.lowercased, name: $0.name) },
                  staff: incident.staff.map { .init(id: $0.id.lowercased, name: $0.name) },
                  actionTaken: incident.actionTaken, told: incident.told, recordedAt: incident.recordedAt, recordedBy: incident.recordedBy,
                  amendsVersion: incident.amendsVersion, amendmentReason: incident.amendmentReason)
    }
}
