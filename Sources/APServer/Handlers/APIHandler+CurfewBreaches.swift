import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listCurfewBreaches(_ input: Operations.ListCurfewBreaches.Input) async throws -> Operations.ListCurfewBreaches.Output {
        let breaches = try await stores.curfewBreaches.list(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            openOnly: input.query.open ?? false, by: try RequestScope.caller())
        return .ok(.init(body: .json(breaches.map(Components.Schemas.CurfewBreach.init))))
    }

    func listResidentCurfewBreaches(_ input: Operations.ListResidentCurfewBreaches.Input) async throws
        -> Operations.ListResidentCurfewBreaches.Output
    {
        let breaches = try await stores.curfewBreaches.list(
            placementID: try Input.uuid(input.path.placementId, field: "placementId"),
            by: try RequestScope.caller())
        return .ok(.init(body: .json(breaches.map(Components.Schemas.CurfewBreach.init))))
    }

    func escalateCurfewBreach(_ input: Operations.EscalateCurfewBreach.Input) async throws -> Operations.EscalateCurfewBreach.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the escalation as JSON") }
        let breach = try await stores.curfewBreaches.escalate(
            try Input.uuid(input.path.breachId, field: "breachId"),
            ppInformed: body.ppInformed ?? false, policeInformed: body.policeInformed ?? false,
            note: body.note, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(breach))))
    }

    func recordCurfewBreachOutcome(_ input: Operations.RecordCurfewBreachOutcome.Input) async throws
        -> Operations.RecordCurfewBreachOutcome.Output
    {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the outcome as JSON") }
        let breach = try await stores.curfewBreaches.recordOutcome(
            try Input.uuid(input.path.breachId, field: "breachId"),
            outcome: body.outcome.rawValue, note: body.note, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(breach))))
    }
}

extension Components.Schemas.CurfewBreach {
    init(_ breach: ApprovedPremises.CurfewBreach) {
        self.init(
            id: breach.id.lowercased, placementId: breach.placementID.lowercased, personName: breach.personName,
            state: .init(breach.state), windowStart: breach.windowStart, windowEnd: breach.windowEnd,
            openedAt: breach.openedAt, closedAt: breach.closedAt, minutesLate: breach.minutesLate,
            escalatedAt: breach.escalatedAt, escalatedBy: breach.escalatedBy, ppInformedAt: breach.ppInformedAt,
            policeInformedAt: breach.policeInformedAt, escalationNote: breach.escalationNote,
            outcome: breach.outcome.flatMap { .init(rawValue: $0.rawValue) }, outcomeAt: breach.outcomeAt,
            outcomeBy: breach.outcomeBy, outcomeNote: breach.outcomeNote, voidedAt: breach.voidedAt, voidedByEntry: breach.voidedByEntry)
    }
}
