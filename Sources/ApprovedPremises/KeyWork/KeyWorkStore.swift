import Foundation
import Postgres

/// A key-work session: recorded once, with the actions agreed in it.
public struct KeyWorkSession: Sendable, Equatable, Codable {
    /// The kind of key-work session.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case induction
        case oneToOne = "one_to_one"
        case relapsePrevention = "relapse_prevention"
        case moveOnPlanning = "move_on_planning"
        case other
    }

    public var id: UUID
    public var placementID: UUID
    public var heldAt: Date
    public var durationMinutes: Int
    public var kind: Kind
    public var topics: [String]
    public var notes: String
    public var nextSessionOn: CalendarDate?
    public var recordedBy: String
    public var actions: [KeyWorkAction]
    /// The latest correction, when the session was corrected (the fields above are as corrected;
    /// the session as first recorded is kept, in its own table and the audit log).
    public var correction: Correction? = nil

    /// Who corrected a session, when and why.
    public struct Correction: Sendable, Equatable, Codable {
        public var reason: String
        public var by: String
        public var at: Date
    }
}

/// Something agreed in a session: who does it, by when, and whether it is closed (done,
/// dropped, or moved to a new due date as a new action).
public struct KeyWorkAction: Sendable, Equatable, Codable {
    /// How an action was closed.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case done, dropped, moved
    }

    public var id: UUID
    public var sessionID: UUID
    public var placementID: UUID
    public var personName: String
    public var action: String
    public var owner: String
    public var dueOn: CalendarDate
    /// When and by whom it was closed, whichever way (`outcome`).
    public var doneAt: Date?
    public var doneBy: String?
    public var outcome: Outcome? = nil
    /// Why it was dropped or moved.
    public var closeNote: String? = nil
    /// The action that carries it on to its new due date, when it was moved.
    public var movedTo: UUID? = nil
}

/// A resident whose key-work session is due or overdue.
public struct KeyWorkDue: Sendable, Equatable, Codable {
    public var placementID: UUID
    public var personName: String
    public var keyWorkerID: UUID?
    public var keyWorker: String?
    public var lastSessionOn: CalendarDate?
    public var dueOn: CalendarDate
    /// Days past `dueOn` (0 when due today).
    public var daysOverdue: Int
}

/// Key workers and key-work sessions. Key workers and managers record; everyone at the premises reads.
public struct KeyWorkStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who records sessions and marks actions done: key workers and managers.
    public static let recorders: Set<Role> = [.administrator, .apManager, .keyWorker]
    /// How far ahead a next session or an agreed action may be set, in days.
    public static let horizonDays = 182
    /// Who gives a resident a key worker: the AP manager.
    public static let assigners: Set<Role> = [.administrator, .apManager]

    /// Gives a resident a key worker (or none): someone who works at the premises as a key worker
    /// or its manager. The history keeps every change.
    public func assignKeyWorker(_ placementID: UUID, staffID: UUID?, by principal: Principal) async throws -> Placement {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let before = try await PlacementStore.load(placementID, on: connection, lock: true)
                try await PremisesAccess.require(
                    principal, Self.assigners, to: "assign key workers", premisesID: before.premisesID, on: connection)
                guard [.upcoming, .arrived].contains(before.status) else {
                    throw DomainError(
                        .conflict, "\(before.personName)'s placement is \(before.status.rawValue): there is no one to key-work")
                }
                if let staffID {
                    try await Self.requireKeyWorker(staffID, at: before.premisesID, field: "staffId", on: connection)
                }
                let after = try Placement(
                    row: try await connection.one(
                        """
                        UPDATE placement AS p SET key_worker_id = \(staffID), version = p.version + 1, updated_at = now()
                        WHERE p.id = \(placementID) RETURNING \(Placement.columns)
                        """))
                try await AuditLog.record(
                    on: connection, by: principal, action: "placement.key_worker", entity: "placement",
                    entityID: placementID.uuidString, before: before, after: after)
                return after
            }
        }
    }

    /// The rule for a key worker, wherever one is given (here, or at arrival): an active key
    /// worker or AP manager of the resident's premises.
    static func requireKeyWorker(_ staffID: UUID, at premisesID: UUID, field: String, on connection: PostgresConnection) async throws {
        let row = try await connection.first("SELECT role, premises_id, active FROM staff WHERE id = \(staffID)")
        guard let row, try row.decode("active", as: Bool.self),
            ["key_worker", "ap_manager"].contains(try row.decode("role", as: String.self)),
            try row.decode("premises_id", as: UUID?.self) == premisesID
        else {
            throw DomainError.invalid(
                field: field, rule: "keyWorker", "\(field) must be an active key worker or AP manager of this premises")
        }
    }

    /// What a session records.
    public struct NewSession: Sendable {
        public var heldAt: Date
        public var durationMinutes: Int
        public var kind: String
        public var topics: [String]
        public var notes: String
        public var nextSessionOn: CalendarDate?
        public var actions: [(action: String, owner: String, dueOn: CalendarDate)]

        /// A value with each field given.
        public init(
            heldAt: Date, durationMinutes: Int, kind: String, topics: [String] = [], notes: String, nextSessionOn: CalendarDate? = nil,
            actions: [(action: String, owner: String, dueOn: CalendarDate)] = []
        ) {
            self.heldAt = heldAt
            self.durationMinutes = durationMinutes
            self.kind = kind
            self.topics = topics
            self.notes = notes
            self.nextSessionOn = nextSessionOn
            self.actions = actions
        }
    }

    /// Records a session with a resident, and the actions agreed.
    public func record(_ placementID: UUID, _ session: NewSession, by principal: Principal, now: Date = Date()) async throws
        -> KeyWorkSession
    {
        var v = Self.validation(of: session, now: now)
        for (index, action) in session.actions.enumerated() {
            v.require(!action.action.isBlank, field: "actions[\(index)].action", rule: "required", "an action says what is to be done")
            v.require(!action.owner.isBlank, field: "actions[\(index)].owner", rule: "required", "an action has an owner")
        }
        try v.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
                let premises = try await PremisesAccess.require(
                    principal, Self.recorders, to: "record key work", premisesID: placement.premisesID, on: connection)
                guard placement.status == .arrived else {
                    throw DomainError(.conflict, "\(placement.personName) is not resident here, so key work cannot be recorded")
                }
                try placement.requireHere(at: session.heldAt, field: "heldAt")
                let heldOn = CalendarDate.today(in: premises.timeZone, now: session.heldAt)
                if let next = session.nextSessionOn, next < heldOn {
                    throw DomainError.invalid(field: "nextSessionOn", rule: "order", "nextSessionOn must not be before the session")
                }
                let horizon = heldOn.adding(days: Self.horizonDays)
                if let next = session.nextSessionOn, next > horizon {
                    throw DomainError.invalid(
                        field: "nextSessionOn", rule: "horizon", "nextSessionOn must be within \(Self.horizonDays) days of the session")
                }
                for (index, action) in session.actions.enumerated() where action.dueOn < heldOn || action.dueOn > horizon {
                    throw DomainError.invalid(
                        field: "actions[\(index)].dueOn", rule: "horizon",
                        "an action is due between the session (\(heldOn)) and \(Self.horizonDays) days after it")
                }
                let id: UUID = try await connection.one(
                    """
                    INSERT INTO key_work_session (placement_id, held_at, duration_minutes, kind, topics, notes, next_session_on, recorded_by, recorded_at)
                    VALUES (\(placementID), \(session.heldAt), \(session.durationMinutes), \(session.kind), \(session.topics)::text[], \(session.notes),
                            \(session.nextSessionOn), \(principal.staffID), \(now))
                    RETURNING id
                    """
                ).decode("id")
                for (position, action) in session.actions.enumerated() {
                    try await connection.execute(
                        """
                        INSERT INTO key_work_action (session_id, placement_id, position, action, owner, due_on)
                        VALUES (\(id), \(placementID), \(position), \(action.action), \(action.owner), \(action.dueOn))
                        """)
                }
                let recorded = try await Self.sessions(placementID, on: connection).first { $0.id == id }!
                try await AuditLog.record(
                    on: connection, by: principal, action: "key_work.session", entity: "key_work_session",
                    entityID: id.uuidString, before: KeyWorkSession?.none, after: recorded)
                return recorded
            }
        }
    }

    /// The rules of a session's own fields, as recorded or corrected.
    static func validation(of session: NewSession, now: Date) -> Validation {
        var v = Validation()
        v.require(session.heldAt <= now.addingTimeInterval(120), field: "heldAt", rule: "future", "heldAt must not be in the future")
        v.require(
            (5...480).contains(session.durationMinutes), field: "durationMinutes", rule: "range",
            "durationMinutes must be between 5 and 480")
        v.require(
            KeyWorkSession.Kind(rawValue: session.kind) != nil, field: "kind", rule: "oneOf",
            "kind must be one of " + KeyWorkSession.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        v.require(!session.notes.isBlank, field: "notes", rule: "required", "notes are required")
        return v
    }

    static let actionColumns: SQL = """
        a.id, a.session_id, a.placement_id, p.person_name, a.action, a.owner, a.due_on, a.done_at, s.display_name AS done_by,
        a.outcome, a.close_note, a.moved_to
        """

    static func action(_ row: PostgresRow) throws -> KeyWorkAction {
        KeyWorkAction(
            id: try row.decode("id"), sessionID: try row.decode("session_id"), placementID: try row.decode("placement_id"),
            personName: try row.decode("person_name"), action: try row.decode("action"), owner: try row.decode("owner"),
            dueOn: try row.decode("due_on"), doneAt: try row.decode("done_at"), doneBy: try row.decode("done_by"),
            outcome: (try row.decode("outcome", as: String?.self)).flatMap(KeyWorkAction.Outcome.init(rawValue:)),
            closeNote: try row.decode("close_note"), movedTo: try row.decode("moved_to"))
    }

    /// A resident's sessions, newest first, each with its actions.
    public func sessions(_ placementID: UUID, by principal: Principal) async throws -> [KeyWorkSession] {
        try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see key work", premisesID: placement.premisesID, on: connection)
            return try await Self.sessions(placementID, on: connection)
        }
    }

    /// The sessions of a stay and of the stays before it at other APs (a resident moved by a
    /// transfer keeps their key-work story), newest first, each with its actions.
    static func sessions(_ placementID: UUID, on connection: PostgresConnection) async throws -> [KeyWorkSession] {
        var actions = [UUID: [KeyWorkAction]]()
        for row in try await connection.query(
            """
            SELECT \(actionColumns) FROM key_work_action a JOIN placement p ON p.id = a.placement_id LEFT JOIN staff s ON s.id = a.done_by
            WHERE a.placement_id IN (SELECT c.id FROM stay_chain(\(placementID)) c) ORDER BY a.session_id, a.position
            """)
        {
            let action = try action(row)
            actions[action.sessionID, default: []].append(action)
        }
        return try await connection.query(
            """
            SELECT k.id, k.placement_id, k.held_at, k.duration_minutes, k.kind, array_to_string(k.topics, E'\\x1f') AS topics, k.notes,
                   k.next_session_on, s.display_name AS recorded_by, k.correction_reason, c.display_name AS corrected_by, k.corrected_at
            FROM key_work_session_now k JOIN staff s ON s.id = k.recorded_by LEFT JOIN staff c ON c.id = k.corrected_by
            WHERE k.placement_id IN (SELECT c.id FROM stay_chain(\(placementID)) c) ORDER BY k.held_at DESC
            """
        ).map { row in
            let id: UUID = try row.decode("id")
            return KeyWorkSession(
                id: id, placementID: try row.decode("placement_id"), heldAt: try row.decode("held_at"),
                durationMinutes: try row.decode("duration_minutes"), kind: KeyWorkSession.Kind(rawValue: try row.decode("kind"))!,
                topics: (try row.decode("topics", as: String.self)).split(separator: "\u{1f}").map(String.init),
                notes: try row.decode("notes"),
                nextSessionOn: try row.decode("next_session_on"), recordedBy: try row.decode("recorded_by"), actions: actions[id] ?? [],
                correction: try row.decode("correction_reason", as: String?.self).map {
                    KeyWorkSession.Correction(reason: $0, by: try row.decode("corrected_by"), at: try row.decode("corrected_at"))
                })
        }
    }

    /// Residents whose session is due today or overdue, most overdue first, and open actions
    /// past their due date; `keyWorkerID` narrows both to one key worker's residents.
    /// A session is due `key_work_interval_days` after the last one (or the arrival), or on the
    /// next session date the last one set.
    public func due(premisesID: UUID, keyWorkerID: UUID?, by principal: Principal, now: Date = Date()) async throws
        -> (sessions: [KeyWorkDue], actions: [KeyWorkAction])
    {
        try await pool.withConnection { connection in
            let premises = try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see key work", premisesID: premisesID, on: connection)
            let today = CalendarDate.today(in: premises.timeZone, now: now)
            // Each resident's last session, from their own entries newest first: a probe a
            // resident, not a pass over every session the premises ever held.
            let sessions = try await connection.query(
                """
                SELECT p.id, p.person_name, p.key_worker_id, s.display_name AS key_worker, last.held_on,
                       coalesce(last.next_session_on, coalesce(last.held_on, p.arrival_date) + pr.key_work_interval_days) AS due_on
                FROM placement p JOIN premises pr ON pr.id = p.premises_id
                LEFT JOIN LATERAL (
                    SELECT (k.held_at AT TIME ZONE pr.time_zone)::date AS held_on, k.next_session_on
                    FROM key_work_session_now k WHERE k.placement_id = p.id ORDER BY k.held_at DESC LIMIT 1
                ) last ON true
                LEFT JOIN staff s ON s.id = p.key_worker_id
                WHERE p.premises_id = \(premisesID) AND p.arrived_at IS NOT NULL AND p.departed_at IS NULL
                  AND (\(keyWorkerID)::uuid IS NULL OR p.key_worker_id = \(keyWorkerID)::uuid)
                  AND coalesce(last.next_session_on, coalesce(last.held_on, p.arrival_date) + pr.key_work_interval_days) <= \(today)::date
                ORDER BY due_on, p.person_name
                """
            ).map { row in
                let dueOn: CalendarDate = try row.decode("due_on")
                return KeyWorkDue(
                    placementID: try row.decode("id"), personName: try row.decode("person_name"),
                    keyWorkerID: try row.decode("key_worker_id"), keyWorker: try row.decode("key_worker"),
                    lastSessionOn: try row.decode("held_on"), dueOn: dueOn, daysOverdue: dueOn.days(to: today))
            }
            let actions = try await connection.query(
                """
                SELECT \(Self.actionColumns) FROM key_work_action a JOIN placement p ON p.id = a.placement_id LEFT JOIN staff s ON s.id = a.done_by
                WHERE p.premises_id = \(premisesID) AND p.arrived_at IS NOT NULL AND p.departed_at IS NULL
                  AND a.done_at IS NULL AND a.due_on < \(today)::date
                  AND (\(keyWorkerID)::uuid IS NULL OR p.key_worker_id = \(keyWorkerID)::uuid)
                ORDER BY a.due_on, p.person_name, a.position
                """
            ).map(Self.action)
            return (sessions, actions)
        }
    }
}
