import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func assignKeyWorker(_ input: Operations.AssignKeyWorker.Input) async throws -> Operations.AssignKeyWorker.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the key worker as JSON") }
        let placement = try await stores.keyWork.assignKeyWorker(
            try Input.uuid(input.path.placementId, field: "placementId"), staffID: try Input.optionalUUID(body.staffId, field: "staffId"),
            by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(placement))))
    }

    func listKeyWorkSessions(_ input: Operations.ListKeyWorkSessions.Input) async throws -> Operations.ListKeyWorkSessions.Output {
        let sessions = try await stores.keyWork.sessions(
            try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(sessions.map(Components.Schemas.KeyWorkSession.init))))
    }

    func recordKeyWorkSession(_ input: Operations.RecordKeyWorkSession.Input) async throws -> Operations.RecordKeyWorkSession.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the session as JSON") }
        let actions = try (body.actions ?? []).enumerated().map { index, action in
            (action: action.action, owner: action.owner, dueOn: try Input.date(action.dueOn, field: "actions[\(index)].dueOn"))
        }
        let session = try await stores.keyWork.record(
            try Input.uuid(input.path.placementId, field: "placementId"),
            .init(
                heldAt: body.heldAt, durationMinutes: body.durationMinutes, kind: body.kind.rawValue, topics: body.topics ?? [],
                notes: body.notes,
                nextSessionOn: try Input.optionalDate(body.nextSessionOn, field: "nextSessionOn"), actions: actions),
            by: try RequestScope.caller())
        return .created(.init(body: .json(.init(session))))
    }

    func correctKeyWorkSession(_ input: Operations.CorrectKeyWorkSession.Input) async throws -> Operations.CorrectKeyWorkSession.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the corrected session as JSON") }
        let session = try await stores.keyWork.correct(
            sessionID: try Input.uuid(input.path.sessionId, field: "sessionId"),
            .init(
                heldAt: body.heldAt, durationMinutes: body.durationMinutes, kind: body.kind.rawValue, topics: body.topics ?? [],
                notes: body.notes, nextSessionOn: try Input.optionalDate(body.nextSessionOn, field: "nextSessionOn")),
            reason: body.reason, by: try RequestScope.caller())
        return .created(.init(body: .json(.init(session))))
    }

    func completeKeyWorkAction(_ input: Operations.CompleteKeyWorkAction.Input) async throws -> Operations.CompleteKeyWorkAction.Output {
        let action = try await stores.keyWork.complete(
            actionID: try Input.uuid(input.path.actionId, field: "actionId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(action))))
    }

    func dropKeyWorkAction(_ input: Operations.DropKeyWorkAction.Input) async throws -> Operations.DropKeyWorkAction.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the reason as JSON") }
        let action = try await stores.keyWork.drop(
            actionID: try Input.uuid(input.path.actionId, field: "actionId"), reason: body.reason, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(action))))
    }

    func moveKeyWorkAction(_ input: Operations.MoveKeyWorkAction.Input) async throws -> Operations.MoveKeyWorkAction.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the new due date as JSON") }
        let action = try await stores.keyWork.move(
            actionID: try Input.uuid(input.path.actionId, field: "actionId"), dueOn: try Input.date(body.dueOn, field: "dueOn"),
            reason: body.reason, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(action))))
    }

    func getKeyWorkDue(_ input: Operations.GetKeyWorkDue.Input) async throws -> Operations.GetKeyWorkDue.Output {
        let (sessions, actions) = try await stores.keyWork.due(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            keyWorkerID: try Input.optionalUUID(input.query.keyWorkerId, field: "keyWorkerId"), by: try RequestScope.caller())
        return .ok(
            .init(
                body: .json(
                    .init(
                        sessions: sessions.map {
                            .init(
                                placementId: $0.placementID.lowercased, personName: $0.personName, keyWorkerId: $0.keyWorkerID?.lowercased,
                                keyWorker: $0.keyWorker, lastSessionOn: $0.lastSessionOn?.description, dueOn: $0.dueOn.description,
                                daysOverdue: $0.daysOverdue)
                        },
                        actions: actions.map(Components.Schemas.KeyWorkAction.init)))))
    }
}

extension Components.Schemas.KeyWorkAction {
    init(_ action: ApprovedPremises.KeyWorkAction) {
        self.init(
            id: action.id.lowercased, sessionId: action.sessionID.lowercased, placementId: action.placementID.lowercased,
            personName: action.personName, action: action.action, owner: action.owner, dueOn: action.dueOn.description,
            doneAt: action.doneAt, doneBy: action.doneBy, outcome: action.outcome.flatMap { .init(rawValue: $0.rawValue) },
            closeNote: action.closeNote, movedTo: action.movedTo?.lowercased)
    }
}

extension Components.Schemas.KeyWorkSession {
    init(_ session: ApprovedPremises.KeyWorkSession) {
        self.init(
            id: session.id.lowercased, placementId: session.placementID.lowercased, heldAt: session.heldAt,
            durationMinutes: session.durationMinutes, kind: .init(session.kind), topics: session.topics,
            notes: session.notes, nextSessionOn: session.nextSessionOn?.description, recordedBy: session.recordedBy,
            actions: session.actions.map(Components.Schemas.KeyWorkAction.init),
            correction: session.correction.map { .init(reason: $0.reason, by: $0.by, at: $0.at) })
    }
}
