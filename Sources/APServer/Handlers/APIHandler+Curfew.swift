import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func getTonight(_ input: Operations.GetTonight.Input) async throws -> Operations.GetTonight.Output {
        let states = try await stores.curfew.tonight(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), by: try RequestScope.caller(),
            now: clock())
        return .ok(
            .init(
                body: .json(
                    states.map {
                        .init(
                            placementId: $0.placementID.lowercased, personName: $0.personName, crn: $0.crn, bedLabel: $0.bedLabel,
                            state: .init($0.state), since: $0.since, destination: $0.destination, expectedBack: $0.expectedBack,
                            minutesLate: $0.minutesLate, curfewStart: $0.curfewStart, curfewEnd: $0.curfewEnd)
                    })))
    }

    func addCurfewVariation(_ input: Operations.AddCurfewVariation.Input) async throws -> Operations.AddCurfewVariation.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the variation as JSON") }
        var hours: CurfewHours? = nil
        switch (body.start, body.end) {
        case (nil, nil): break
        case (let start?, let end?):
            guard let from = WallClock(start) else {
                throw DomainError.invalid(field: "start", rule: "format", "start must be HH:MM, such as 07:30")
            }
            guard let to = WallClock(end) else {
                throw DomainError.invalid(field: "end", rule: "format", "end must be HH:MM, such as 15:00")
            }
            hours = CurfewHours(start: from, end: to)
        default:
            throw DomainError.invalid(field: "end", rule: "pair", "give both start and end, or neither to lift the curfew")
        }
        let variation = try await stores.curfewVariations.add(
            placementID: try Input.uuid(input.path.placementId, field: "placementId"),
            nights: Nights(first: try Input.date(body.from, field: "from"), end: try Input.date(body.to, field: "to")),
            hours: hours, reason: body.reason, approvedBy: body.approvedBy, by: try RequestScope.caller())
        return .created(.init(body: .json(.init(variation))))
    }

    func listCurfewVariations(_ input: Operations.ListCurfewVariations.Input) async throws -> Operations.ListCurfewVariations.Output {
        let variations = try await stores.curfewVariations.list(
            placementID: try Input.uuid(input.path.placementId, field: "placementId"),
            by: try RequestScope.caller())
        return .ok(.init(body: .json(variations.map(Components.Schemas.CurfewVariation.init))))
    }

    func listMovements(_ input: Operations.ListMovements.Input) async throws -> Operations.ListMovements.Output {
        let entries = try await stores.curfew.log(
            try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return try .ok(.init(body: .json(entries.map(Components.Schemas.Movement.init))))
    }

    func listPremisesMovements(_ input: Operations.ListPremisesMovements.Input) async throws -> Operations.ListPremisesMovements.Output {
        let (from, to) = (input.query.from, input.query.to)
        guard to > from, to.timeIntervalSince(from) <= 7 * 86_400 else {
            throw DomainError.invalid(field: "to", rule: "window", "to must be after from, and at most 7 days after it")
        }
        let entries = try await stores.curfew.log(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), from: from, to: to, by: try RequestScope.caller())
        return try .ok(.init(body: .json(entries.map { .init(personName: $0.personName, entry: try .init($0.movement)) })))
    }

    func recordMovement(_ input: Operations.RecordMovement.Input) async throws -> Operations.RecordMovement.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the entry as JSON") }
        let now = clock()
        let entry = try await stores.curfew.record(
            try Input.uuid(input.path.placementId, field: "placementId"), body.domain(now: now),
            by: try RequestScope.caller(), now: now)
        return try .created(.init(body: .json(.init(entry))))
    }

    func correctMovement(_ input: Operations.CorrectMovement.Input) async throws -> Operations.CorrectMovement.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the correction as JSON") }
        let now = clock()
        let entry = try await stores.curfew.correct(
            input.path.movementId, with: body.entry.domain(now: now), reason: body.reason,
            by: try RequestScope.caller(), now: now)
        return try .created(.init(body: .json(.init(entry))))
    }
}

extension Components.Schemas.NewMovement {
    /// The entry, at `now` when it gives no time.
    func domain(now: Date) -> CurfewStore.Entry {
        CurfewStore.Entry(
            kind: kind.rawValue, occurredAt: occurredAt ?? now, destination: destination, expectedBack: expectedBack,
            withPermission: withPermission ?? false)
    }
}

extension Components.Schemas.Movement {
    init(_ movement: ApprovedPremises.Movement) throws {
        self.init(
            id: movement.id, placementId: movement.placementID.lowercased, kind: try contractValue(movement.kind, field: "kind"),
            occurredAt: movement.occurredAt,
            recordedAt: movement.recordedAt, recordedBy: movement.recordedBy, destination: movement.destination,
            expectedBack: movement.expectedBack, withPermission: movement.withPermission, lateEntry: movement.isLateEntry,
            correctsId: movement.correctsID, correctionReason: movement.correctionReason, correctedById: movement.correctedByID)
    }
}

extension Components.Schemas.CurfewVariation {
    init(_ variation: ApprovedPremises.CurfewVariation) {
        self.init(
            id: variation.id.lowercased, from: variation.nights.first.description, to: variation.nights.end.description,
            start: variation.hours?.start.description, end: variation.hours?.end.description,
            reason: variation.reason, approvedBy: variation.approvedBy)
    }
}
