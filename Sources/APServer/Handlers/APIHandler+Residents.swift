import APIContract
import ApprovedPremises
import Foundation
import OpenAPIRuntime

extension APIHandler {
    // MARK: Key work

    func assignKeyWorker(_ input: Operations.AssignKeyWorker.Input) async throws -> Operations.AssignKeyWorker.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the key worker as JSON") }
        let placement = try await KeyWorkStore(pool: pool).assignKeyWorker(
            try Input.uuid(input.path.placementId, field: "placementId"), staffID: try Input.optionalUUID(body.staffId, field: "staffId"),
            by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(placement))))
    }

    func listKeyWorkSessions(_ input: Operations.ListKeyWorkSessions.Input) async throws -> Operations.ListKeyWorkSessions.Output {
        let sessions = try await KeyWorkStore(pool: pool).sessions(try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(sessions.map(Components.Schemas.KeyWorkSession.init))))
    }

    func recordKeyWorkSession(_ input: Operations.RecordKeyWorkSession.Input) async throws -> Operations.RecordKeyWorkSession.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the session as JSON") }
        let actions = try (body.actions ?? []).enumerated().map { index, action in
            (action: action.action, owner: action.owner, dueOn: try Input.date(action.dueOn, field: "actions[\(index)].dueOn"))
        }
        let session = try await KeyWorkStore(pool: pool).record(
            try Input.uuid(input.path.placementId, field: "placementId"),
            .init(heldAt: body.heldAt, durationMinutes: body.durationMinutes, kind: body.kind, topics: body.topics ?? [], notes: body.notes,
                  nextSessionOn: try Input.optionalDate(body.nextSessionOn, field: "nextSessionOn"), actions: actions),
            by: try RequestScope.caller())
        return .created(.init(body: .json(.init(session))))
    }

    func completeKeyWorkAction(_ input: Operations.CompleteKeyWorkAction.Input) async throws -> Operations.CompleteKeyWorkAction.Output {
        let action = try await KeyWorkStore(pool: pool).complete(actionID: try Input.uuid(input.path.actionId, field: "actionId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(action))))
    }

    func getKeyWorkDue(_ input: Operations.GetKeyWorkDue.Input) async throws -> Operations.GetKeyWorkDue.Output {
        let (sessions, actions) = try await KeyWorkStore(pool: pool).due(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            keyWorkerID: try Input.optionalUUID(input.query.keyWorkerId, field: "keyWorkerId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(
            sessions: sessions.map {
                .init(placementId: $0.placementID.lowercased, personName: $0.personName, keyWorkerId: $0.keyWorkerID?.lowercased,
                      keyWorker: $0.keyWorker, lastSessionOn: $0.lastSessionOn?.description, dueOn: $0.dueOn.description, daysOverdue: $0.daysOverdue)
            },
            actions: actions.map(Components.Schemas.KeyWorkAction.init)))))
    }

    // MARK: Testing

    func listTestingAuthorisations(_ input: Operations.ListTestingAuthorisations.Input) async throws -> Operations.ListTestingAuthorisations.Output {
        let list = try await TestingStore(pool: pool).authorisations(premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
                                                                     by: try RequestScope.caller())
        return .ok(.init(body: .json(list.map(Components.Schemas.TestingAuthorisation.init))))
    }

    func authoriseTesting(_ input: Operations.AuthoriseTesting.Input) async throws -> Operations.AuthoriseTesting.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the authorisation as JSON") }
        let authorisation = try await TestingStore(pool: pool).authorise(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), reasons: body.reasons,
            from: try Input.date(body.from, field: "from"), until: try Input.optionalDate(body.until, field: "until"), note: body.note,
            by: try RequestScope.caller())
        return .created(.init(body: .json(.init(authorisation))))
    }

    func listPremisesTests(_ input: Operations.ListPremisesTests.Input) async throws -> Operations.ListPremisesTests.Output {
        let tests = try await TestingStore(pool: pool).tests(premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
                                                             pendingOnly: input.query.pending ?? false, by: try RequestScope.caller())
        return .ok(.init(body: .json(tests.map(Components.Schemas.SubstanceTest.init))))
    }

    func listResidentTests(_ input: Operations.ListResidentTests.Input) async throws -> Operations.ListResidentTests.Output {
        let tests = try await TestingStore(pool: pool).tests(placementID: try Input.uuid(input.path.placementId, field: "placementId"),
                                                             by: try RequestScope.caller())
        return .ok(.init(body: .json(tests.map(Components.Schemas.SubstanceTest.init))))
    }

    func recordTest(_ input: Operations.RecordTest.Input) async throws -> Operations.RecordTest.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the test as JSON") }
        let test = try await TestingStore(pool: pool).record(
            try Input.uuid(input.path.placementId, field: "placementId"),
            .init(reason: body.reason, sampleType: body.sampleType, requiredAt: body.requiredAt ?? Date(), takenAt: body.takenAt,
                  sampleNumber: body.sampleNumber, missedReason: body.missedReason, missedNote: body.missedNote),
            by: try RequestScope.caller())
        return .created(.init(body: .json(.init(test))))
    }

    func recordCustodyStep(_ input: Operations.RecordCustodyStep.Input) async throws -> Operations.RecordCustodyStep.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the step as JSON") }
        let test = try await TestingStore(pool: pool).custody(try Input.uuid(input.path.testId, field: "testId"), step: body.step,
                                                              at: body.at ?? Date(), person: body.person, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(test))))
    }

    func recordTestResults(_ input: Operations.RecordTestResults.Input) async throws -> Operations.RecordTestResults.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the results as JSON") }
        let test = try await TestingStore(pool: pool).results(
            try Input.uuid(input.path.testId, field: "testId"), body.results.map { ($0.substance, $0.result, $0.reading) },
            receivedAt: body.receivedAt, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(test))))
    }

    func recordTestFollowUp(_ input: Operations.RecordTestFollowUp.Input) async throws -> Operations.RecordTestFollowUp.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the follow-up as JSON") }
        let test = try await TestingStore(pool: pool).followUp(try Input.uuid(input.path.testId, field: "testId"), action: body.action,
                                                               note: body.note, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(test))))
    }

    // MARK: Move-on

    func getMoveOnPlan(_ input: Operations.GetMoveOnPlan.Input) async throws -> Operations.GetMoveOnPlan.Output {
        let plan = try await MoveOnStore(pool: pool).plan(try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(plan))))
    }

    func addMoveOnPathway(_ input: Operations.AddMoveOnPathway.Input) async throws -> Operations.AddMoveOnPathway.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the pathway as JSON") }
        let plan = try await MoveOnStore(pool: pool).addPathway(try Input.uuid(input.path.placementId, field: "placementId"), kind: body.kind,
                                                                detail: body.detail, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(plan))))
    }

    func updateMoveOnPathway(_ input: Operations.UpdateMoveOnPathway.Input) async throws -> Operations.UpdateMoveOnPathway.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the update as JSON") }
        let plan = try await MoveOnStore(pool: pool).updatePathway(
            try Input.uuid(input.path.pathwayId, field: "pathwayId"), status: body.status, on: try Input.optionalDate(body.on, field: "on"),
            note: body.note, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(plan))))
    }

    func setMoveOnAddress(_ input: Operations.SetMoveOnAddress.Input) async throws -> Operations.SetMoveOnAddress.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the address as JSON") }
        let plan = try await MoveOnStore(pool: pool).setAddress(
            try Input.uuid(input.path.placementId, field: "placementId"), address: body.address,
            confirmedOn: try Input.optionalDate(body.confirmedOn, field: "confirmedOn"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(plan))))
    }

    func listMoveOnFlags(_ input: Operations.ListMoveOnFlags.Input) async throws -> Operations.ListMoveOnFlags.Output {
        let flags = try await MoveOnStore(pool: pool).flags(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            keyWorkerID: try Input.optionalUUID(input.query.keyWorkerId, field: "keyWorkerId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(flags.map {
            .init(placementId: $0.placementID.lowercased, personName: $0.personName, keyWorker: $0.keyWorker, targetDate: $0.targetDate.description,
                  daysLeft: $0.daysLeft, pathways: $0.pathways)
        })))
    }

    // MARK: The resident's record

    func getResidentRecord(_ input: Operations.GetResidentRecord.Input) async throws -> Operations.GetResidentRecord.Output {
        let (placement, entries) = try await ResidentRecord(pool: pool).timeline(try Input.uuid(input.path.placementId, field: "placementId"),
                                                                                 by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(
            placementId: placement.id.lowercased, personName: placement.personName, crn: placement.crn, status: placement.status.rawValue,
            entries: entries.map { .init(kind: $0.kind, at: $0.at, title: $0.title, detail: $0.detail) }))))
    }

    func getDepartureSummary(_ input: Operations.GetDepartureSummary.Input) async throws -> Operations.GetDepartureSummary.Output {
        let summary = try await ResidentRecord(pool: pool).summary(try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(summary))))
    }

    func getDepartureSummaryText(_ input: Operations.GetDepartureSummaryText.Input) async throws -> Operations.GetDepartureSummaryText.Output {
        let summary = try await ResidentRecord(pool: pool).summary(try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(body: .plainText(HTTPBody(summary.text))))
    }
}

extension Components.Schemas.KeyWorkAction {
    init(_ action: ApprovedPremises.KeyWorkAction) {
        self.init(id: action.id.lowercased, sessionId: action.sessionID.lowercased, placementId: action.placementID.lowercased,
                  personName: action.personName, action: action.action, owner: action.owner, dueOn: action.dueOn.description,
                  doneAt: action.doneAt, doneBy: action.doneBy)
    }
}

extension Components.Schemas.KeyWorkSession {
    init(_ session: ApprovedPremises.KeyWorkSession) {
        self.init(id: session.id.lowercased, placementId: session.placementID.lowercased, heldAt: session.heldAt,
                  durationMinutes: session.durationMinutes, kind: .init(session.kind), topics: session.topics,
                  notes: session.notes, nextSessionOn: session.nextSessionOn?.description, recordedBy: session.recordedBy,
                  actions: session.actions.map(Components.Schemas.KeyWorkAction.init))
    }
}

extension Components.Schemas.TestingAuthorisation {
    init(_ authorisation: ApprovedPremises.TestingAuthorisation) {
        self.init(id: authorisation.id.lowercased, premisesId: authorisation.premisesID.lowercased, reasons: authorisation.reasons,
                  from: authorisation.from.description, until: authorisation.until?.description, note: authorisation.note,
                  authorisedBy: authorisation.authorisedBy)
    }
}

extension Components.Schemas.SubstanceTest {
    init(_ test: ApprovedPremises.SubstanceTest) {
        self.init(
            id: test.id.lowercased, placementId: test.placementID.lowercased, personName: test.personName,
            reason: .init(test.reason), sampleType: .init(test.sampleType),
            requiredAt: test.requiredAt, takenAt: test.takenAt, takenBy: test.takenBy, sampleNumber: test.sampleNumber,
            missedReason: test.missedReason.flatMap { .init(rawValue: $0.rawValue) }, missedNote: test.missedNote,
            awaitingResults: test.awaitingResults, needsFollowUp: test.needsFollowUp,
            custody: test.custody.map { .init(step: .init($0.step), at: $0.at, person: $0.person) },
            results: test.results.map {
                .init(substance: $0.substance.rawValue, result: .init($0.result), reading: $0.reading, recordedAt: $0.recordedAt)
            },
            followUps: test.followUps.map { .init(action: .init($0.action), note: $0.note, by: $0.by, at: $0.at) })
    }
}

extension Components.Schemas.MoveOnPlan {
    init(_ plan: ApprovedPremises.MoveOnPlan) {
        self.init(
            placementId: plan.placementID.lowercased, personName: plan.personName, openedAt: plan.openedAt, targetDate: plan.targetDate.description,
            address: plan.address, addressConfirmedOn: plan.addressConfirmedOn?.description, closedAt: plan.closedAt,
            moveOnCategory: plan.moveOnCategory,
            pathways: plan.pathways.map { pathway in
                .init(id: pathway.id.lowercased, kind: pathway.kind.rawValue, detail: pathway.detail, status: pathway.status.rawValue,
                      updates: pathway.updates.map { .init(status: $0.status.rawValue, on: $0.on.description, note: $0.note, by: $0.by) })
            })
    }
}

extension Components.Schemas.DepartureSummary {
    init(_ summary: ApprovedPremises.DepartureSummary) {
        self.init(
            placementId: summary.placementID.lowercased, personName: summary.personName, crn: summary.crn, premisesName: summary.premisesName,
            arrivalDate: summary.arrivalDate?.description, departureDate: summary.departureDate?.description,
            departureReason: summary.departureReason, moveOnCategory: summary.moveOnCategory, address: summary.address,
            keyWorker: summary.keyWorker, risk: summary.risk, keyWorkSessions: summary.keyWorkSessions, lastSessions: summary.lastSessions,
            openActions: summary.openActions, testsTaken: summary.testsTaken, testsMissed: summary.testsMissed,
            positiveOrRefused: summary.positiveOrRefused, curfewBreaches: summary.curfewBreaches, breachesEscalated: summary.breachesEscalated,
            incidents: summary.incidents, moveOnPathways: summary.moveOnPathways)
    }
}
