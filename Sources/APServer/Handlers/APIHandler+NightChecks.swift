import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func getNightChecks(_ input: Operations.GetNightChecks.Input) async throws -> Operations.GetNightChecks.Output {
        let night = try await stores.nightChecks.rounds(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            night: try Input.optionalDate(input.query.night, field: "night"),
            by: try RequestScope.caller())
        return .ok(
            .init(
                body: .json(
                    .init(
                        night: night.night.description, intervalMinutes: night.intervalMinutes,
                        rounds: night.rounds.map(Components.Schemas.NightCheckRound.init)))))
    }

    func recordNightCheck(_ input: Operations.RecordNightCheck.Input) async throws -> Operations.RecordNightCheck.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the round as JSON") }
        let entries = try body.observations.enumerated().map { index, line in
            NightCheckStore.Entry(
                placementID: try Input.uuid(line.placementId, field: "observations[\(index)].placementId"),
                observation: line.observation.rawValue, observedAt: line.observedAt, note: line.note)
        }
        let round = try await stores.nightChecks.record(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), dueAt: body.dueAt, entries: entries,
            by: try RequestScope.caller())
        return .created(.init(body: .json(.init(round))))
    }
}

extension Components.Schemas.NightCheckRound {
    init(_ round: ApprovedPremises.NightCheckRound) {
        self.init(
            dueAt: round.dueAt, status: .init(round.status), recordedAt: round.recordedAt, recordedBy: round.recordedBy,
            recordedLate: round.recordedLate,
            observations: round.observations.map {
                .init(
                    placementId: $0.placementID.lowercased, personName: $0.personName, bedLabel: $0.bedLabel,
                    observation: .init($0.observation), observedAt: $0.observedAt, note: $0.note)
            })
    }
}
