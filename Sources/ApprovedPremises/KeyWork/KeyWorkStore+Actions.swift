import Foundation
import Postgres

extension KeyWorkStore {
    /// One agreed action, for anyone at its premises.
    public func action(_ actionID: UUID, by principal: Principal) async throws -> KeyWorkAction {
        try await pool.withConnection { connection in
            guard
                let action = try await connection.first(
                    """
                    SELECT \(Self.actionColumns) FROM key_work_action a JOIN placement p ON p.id = a.placement_id
                    LEFT JOIN staff s ON s.id = a.done_by WHERE a.id = \(actionID)
                    """
                ).map(Self.action)
            else { throw DomainError(.notFound, "there is no key-work action \(actionID.uuidString.lowercased())") }
            let placement = try await PlacementStore.load(action.placementID, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see key work", premisesID: placement.premisesID, on: connection)
            return action
        }
    }

    /// Marks an agreed action done.
    public func complete(actionID: UUID, by principal: Principal, now: Date = Date()) async throws -> KeyWorkAction {
        try await close(actionID, as: .done, note: nil, newDueOn: nil, by: principal, now: now)
    }

    /// Drops an agreed action: it is no longer to be done, for the reason given.
    public func drop(actionID: UUID, reason: String, by principal: Principal, now: Date = Date()) async throws -> KeyWorkAction {
        var v = Validation()
        v.require(!reason.isBlank, field: "reason", rule: "blank", "reason must say why the action is dropped")
        try v.check()
        return try await close(actionID, as: .dropped, note: reason, newDueOn: nil, by: principal, now: now)
    }

    /// Moves an agreed action to a new due date: the action is closed as moved and a new one,
    /// the same words and owner, is opened in the same session with the new date; the new one
    /// is returned. The date it was first due stays on record.
    public func move(actionID: UUID, dueOn: CalendarDate, reason: String?, by principal: Principal, now: Date = Date()) async throws
        -> KeyWorkAction
    {
        let moved = try await close(actionID, as: .moved, note: reason, newDueOn: dueOn, by: principal, now: now)
        return try await pool.withConnection { connection in
            try Self.action(
                try await connection.one(
                    """
                    SELECT \(Self.actionColumns) FROM key_work_action a JOIN placement p ON p.id = a.placement_id
                    LEFT JOIN staff s ON s.id = a.done_by WHERE a.id = \(moved.movedTo!)
                    """))
        }
    }

    /// Closes an open action one of the three ways, in one transaction with its audit row (and,
    /// for a move, the new action).
    func close(
        _ actionID: UUID, as outcome: KeyWorkAction.Outcome, note: String?, newDueOn: CalendarDate?, by principal: Principal, now: Date
    )
        async throws -> KeyWorkAction
    {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                func read() async throws -> KeyWorkAction? {
                    try await connection.first(
                        """
                        SELECT \(Self.actionColumns) FROM key_work_action a JOIN placement p ON p.id = a.placement_id
                        LEFT JOIN staff s ON s.id = a.done_by WHERE a.id = \(actionID) FOR UPDATE OF a
                        """
                    ).map(Self.action)
                }
                guard let before = try await read() else {
                    throw DomainError(.notFound, "there is no key-work action \(actionID.uuidString.lowercased())")
                }
                let placement = try await PlacementStore.load(before.placementID, on: connection, lock: false)
                let premises = try await PremisesAccess.require(
                    principal, Self.recorders, to: "record key work", premisesID: placement.premisesID, on: connection)
                if let done = before.doneAt {
                    let how = before.outcome ?? .done
                    throw DomainError(
                        .conflict, "that action was marked \(how.rawValue) at \(done.formatted(.iso8601)) by \(before.doneBy ?? "someone")")
                }
                var movedTo: UUID? = nil
                if let dueOn = newDueOn {
                    let today = CalendarDate.today(in: premises.timeZone, now: now)
                    let horizon = today.adding(days: Self.horizonDays)
                    guard dueOn >= today, dueOn <= horizon else {
                        throw DomainError.invalid(
                            field: "dueOn", rule: "horizon", "dueOn must be between today (\(today)) and \(Self.horizonDays) days from now")
                    }
                    guard dueOn != before.dueOn else {
                        throw DomainError.invalid(field: "dueOn", rule: "unchanged", "dueOn is the date the action is already due")
                    }
                    movedTo = try await connection.one(
                        """
                        INSERT INTO key_work_action (session_id, placement_id, position, action, owner, due_on)
                        SELECT session_id, placement_id, (SELECT max(position) + 1 FROM key_work_action WHERE session_id = a.session_id),
                               action, owner, \(dueOn)
                        FROM key_work_action a WHERE a.id = \(actionID)
                        RETURNING id
                        """
                    ).decode("id")
                }
                try await connection.execute(
                    """
                    UPDATE key_work_action SET done_at = \(now), done_by = \(principal.staffID), outcome = \(outcome.rawValue),
                        close_note = \(note.flatMap { $0.isBlank ? nil : $0 }), moved_to = \(movedTo)
                    WHERE id = \(actionID)
                    """)
                let after = try await read()!
                try await AuditLog.record(
                    on: connection, by: principal, action: "key_work.action_\(outcome.rawValue)", entity: "key_work_action",
                    entityID: actionID.uuidString, before: before, after: after)
                return after
            }
        }
    }

    /// Corrects a session (the right to rectification): `session` is the session as it should
    /// read (its actions are closed or moved on their own), with the reason. The session as first
    /// recorded is kept; the latest correction is what is shown and counted.
    public func correct(sessionID: UUID, _ session: NewSession, reason: String, by principal: Principal, now: Date = Date())
        async throws -> KeyWorkSession
    {
        var v = Self.validation(of: session, now: now)
        v.require(!reason.isBlank, field: "reason", rule: "required", "reason says what was wrong")
        try v.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                guard
                    let placementID: UUID = try await connection.first(
                        "SELECT placement_id FROM key_work_session WHERE id = \(sessionID) FOR UPDATE")?.decode("placement_id")
                else { throw DomainError(.notFound, "there is no key-work session \(sessionID.uuidString.lowercased())") }
                let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
                let premises = try await PremisesAccess.require(
                    principal, Self.recorders, to: "correct key work", premisesID: placement.premisesID, on: connection)
                try placement.requireHere(at: session.heldAt, field: "heldAt")
                if let departedAt = placement.departedAt, session.heldAt > departedAt {
                    throw DomainError.invalid(field: "heldAt", rule: "order", "heldAt is after \(placement.personName) left")
                }
                if let next = session.nextSessionOn, next < CalendarDate.today(in: premises.timeZone, now: session.heldAt) {
                    throw DomainError.invalid(field: "nextSessionOn", rule: "order", "nextSessionOn must not be before the session")
                }
                let before = try await Self.sessions(placementID, on: connection).first { $0.id == sessionID }!
                try await connection.execute(
                    """
                    INSERT INTO key_work_session_correction (session_id, held_at, duration_minutes, kind, topics, notes, next_session_on, reason, recorded_by, recorded_at)
                    VALUES (\(sessionID), \(session.heldAt), \(session.durationMinutes), \(session.kind), \(session.topics)::text[], \(session.notes),
                            \(session.nextSessionOn), \(reason), \(principal.staffID), \(now))
                    """)
                let after = try await Self.sessions(placementID, on: connection).first { $0.id == sessionID }!
                try await AuditLog.record(
                    on: connection, by: principal, action: "key_work.correction", entity: "key_work_session",
                    entityID: sessionID.uuidString, before: before, after: after)
                return after
            }
        }
    }
}
