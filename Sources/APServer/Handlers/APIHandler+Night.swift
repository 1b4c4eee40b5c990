import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func getTonight(_ input: Operations.GetTonight.Input) async throws -> Operations.GetTonight.Output {
        let states = try await movements.tonight(premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(states.map {
            .init(placementId: $0.placementID.lowercased, personName: $0.personName, crn: $0.crn, bedLabel: $0.bedLabel,
                  state: .init($0.state), since: $0.since, destination: $0.destination, expectedBack: $0.expectedBack,
                  minutesLate: $0.minutesLate, curfewStart: $0.curfewStart, curfewEnd: $0.curfewEnd)
        })))
    }

    func addCurfewVariation(_ input: Operations.AddCurfewVariation.Input) async throws -> Operations.AddCurfewVariation.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the variation as JSON") }
        var hours: CurfewHours? = nil
        switch (body.start, body.end) {
        case (nil, nil): break
        case let (start?, end?):
            guard let from = WallClock(start) else { throw DomainError.invalid(field: "start", rule: "format", "start must be HH:MM, such as 07:30") }
            guard let to = WallClock(end) else { throw DomainError.invalid(field: "end", rule: "format", "end must be HH:MM, such as 15:00") }
            hours = CurfewHours(start: from, end: to)
        default:
            throw DomainError.invalid(field: "end", rule: "pair", "give both start and end, or neither to lift the curfew")
        }
        let variation = try await CurfewVariationStore(pool: pool).add(
            placementID: try Input.uuid(input.path.placementId, field: "placementId"),
            nights: Nights(first: try Input.date(body.from, field: "from"), end: try Input.date(body.to, field: "to")),
            hours: hours, reason: body.reason, approvedBy: body.approvedBy, by: try RequestScope.caller())
        return .created(.init(body: .json(.init(variation))))
    }

    func listCurfewVariations(_ input: Operations.ListCurfewVariations.Input) async throws -> Operations.ListCurfewVariations.Output {
        let variations = try await CurfewVariationStore(pool: pool).list(placementID: try Input.uuid(input.path.placementId, field: "placementId"),
                                                                         by: try RequestScope.caller())
        return .ok(.init(body: .json(variations.map(Components.Schemas.CurfewVariation.init))))
    }

    func listCurfewBreaches(_ input: Operations.ListCurfewBreaches.Input) async throws -> Operations.ListCurfewBreaches.Output {
        let breaches = try await CurfewBreaches.list(pool: pool, premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
                                                     openOnly: input.query.open ?? false, by: try RequestScope.caller())
        return .ok(.init(body: .json(breaches.map(Components.Schemas.CurfewBreach.init))))
    }

    func listResidentCurfewBreaches(_ input: Operations.ListResidentCurfewBreaches.Input) async throws -> Operations.ListResidentCurfewBreaches.Output {
        let breaches = try await CurfewBreaches.list(pool: pool, placementID: try Input.uuid(input.path.placementId, field: "placementId"),
                                                     by: try RequestScope.caller())
        return .ok(.init(body: .json(breaches.map(Components.Schemas.CurfewBreach.init))))
    }

    func escalateCurfewBreach(_ input: Operations.EscalateCurfewBreach.Input) async throws -> Operations.EscalateCurfewBreach.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the escalation as JSON") }
        let breach = try await CurfewBreaches.escalate(pool: pool, try Input.uuid(input.path.breachId, field: "breachId"),
                                                       ppInformed: body.ppInformed ?? false, policeInformed: body.policeInformed ?? false,
                                                       note: body.note, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(breach))))
    }

    func recordCurfewBreachOutcome(_ input: Operations.RecordCurfewBreachOutcome.Input) async throws -> Operations.RecordCurfewBreachOutcome.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the outcome as JSON") }
        let breach = try await CurfewBreaches.recordOutcome(pool: pool, try Input.uuid(input.path.breachId, field: "breachId"),
                                                            outcome: body.outcome, note: body.note, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(breach))))
    }

    func verifyLogs(_ input: Operations.VerifyLogs.Input) async throws -> Operations.VerifyLogs.Output {
        let report = try await LogChains.verify(pool: pool, premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
                                                by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(
            entries: report.totalEntries,
            logs: LogChains.logs.map { .init(log: $0.name, entries: report.entries[$0.name] ?? 0) },
            problems: report.problems.map { .init(log: $0.log, entryId: $0.entryID, chainSeq: $0.chainSeq, problem: $0.problem) }))))
    }

    func listMovements(_ input: Operations.ListMovements.Input) async throws -> Operations.ListMovements.Output {
        let entries = try await movements.log(try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(entries.map(Components.Schemas.Movement.init))))
    }

    func recordMovement(_ input: Operations.RecordMovement.Input) async throws -> Operations.RecordMovement.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the entry as JSON") }
        let entry = try await movements.record(try Input.uuid(input.path.placementId, field: "placementId"), body.domain(), by: try RequestScope.caller())
        return .created(.init(body: .json(.init(entry))))
    }

    func correctMovement(_ input: Operations.CorrectMovement.Input) async throws -> Operations.CorrectMovement.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the correction as JSON") }
        let entry = try await movements.correct(input.path.movementId, with: body.entry.domain(), reason: body.reason, by: try RequestScope.caller())
        return .created(.init(body: .json(.init(entry))))
    }
}

extension Components.Schemas.NewMovement {
    func domain() -> MovementLog.Entry {
        MovementLog.Entry(kind: kind.rawValue, occurredAt: occurredAt ?? Date(), destination: destination, expectedBack: expectedBack,
                          withPermission: withPermission ?? false)
    }
}

extension Components.Schemas.Movement {
    init(_ movement: ApprovedPremises.Movement) {
        self.init(id: movement.id, placementId: movement.placementID.lowercased, kind: movement.kind, occurredAt: movement.occurredAt,
                  recordedAt: movement.recordedAt, recordedBy: movement.recordedBy, destination: movement.destination,
                  expectedBack: movement.expectedBack, withPermission: movement.withPermission, lateEntry: movement.isLateEntry,
                  correctsId: movement.correctsID, correctionReason: movement.correctionReason, correctedById: movement.correctedByID)
    }
}

extension Components.Schemas.CurfewVariation {
    init(_ variation: ApprovedPremises.CurfewVariation) {
        self.init(id: variation.id.lowercased, from: variation.nights.first.description, to: variation.nights.end.description,
                  start: variation.hours?.start.description, end: variation.hours?.end.description,
                  reason: variation.reason, approvedBy: variation.approvedBy)
    }
}

extension Components.Schemas.CurfewBreach {
    init(_ breach: ApprovedPremises.CurfewBreach) {
        self.init(id: breach.id.lowercased, placementId: breach.placementID.lowercased, personName: breach.personName,
                  state: .init(breach.state), windowStart: breach.windowStart, windowEnd: breach.windowEnd,
                  openedAt: breach.openedAt, closedAt: breach.closedAt, minutesLate: breach.minutesLate,
                  escalatedAt: breach.escalatedAt, escalatedBy: breach.escalatedBy, ppInformedAt: breach.ppInformedAt,
                  policeInformedAt: breach.policeInformedAt, escalationNote: breach.escalationNote,
                  outcome: breach.outcome.flatMap { .init(rawValue: $0.rawValue) }, outcomeAt: breach.outcomeAt,
                  outcomeBy: breach.outcomeBy, outcomeNote: breach.outcomeNote)
    }
}
