import Foundation
import Logging
import Postgres

/// A curfew window a resident was not in for.
public struct CurfewBreach: Sendable, Equatable, Codable {
    /// Open until the resident signs in (closed) or staff escalate it (absent overnight); void
    /// when the log, corrected or completed later, no longer shows them out.
    public enum State: String, Sendable, Codable {
        case open, escalated, closed, void
    }

    /// What the manager decided once it was over.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case noAction = "no_action"
        case warning
        case reportedToPP = "reported_to_pp"
        case recallRequested = "recall_requested"
    }

    public var id: UUID
    public var placementID: UUID
    public var personName: String
    public var windowStart: Date
    public var windowEnd: Date
    public var openedAt: Date
    public var closedAt: Date?
    public var minutesLate: Int?
    public var escalatedAt: Date?
    public var escalatedBy: String?
    public var ppInformedAt: Date?
    public var policeInformedAt: Date?
    public var escalationNote: String?
    public var outcome: Outcome?
    public var outcomeAt: Date?
    public var outcomeBy: String?
    public var outcomeNote: String?
    /// When a later or corrected entry of the log showed the resident was not out after all.
    public var voidedAt: Date?
    /// The log entry that voided it.
    public var voidedByEntry: Int64?

    public var state: State {
        if voidedAt != nil { return .void }
        if closedAt != nil { return .closed }
        return escalatedAt != nil ? .escalated : .open
    }
}

/// Opening breaches when a curfew starts (by the service's job, not by someone remembering),
/// and keeping them true to the log whenever it is written (see `reevaluate`).
public struct CurfewBreachStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who escalates a breach: the premises' staff on shift.
    public static let escalators: Set<Role> = [.administrator, .apManager, .residentialWorker, .keyWorker]
    /// Who records how a breach ended: the AP manager.
    public static let deciders: Set<Role> = [.administrator, .apManager]

    /// Opens a breach for every resident of every premises who is late now; looking again finds
    /// the same breaches, so the job can run as often as it likes. Returns how many it opened.
    ///
    /// One pass is two statements whatever the number of premises and the length of their
    /// history: the residents' states (see `CurfewStore.states`) and, when anyone is late, one
    /// insert of every breach that is new, with its audit row.
    @discardableResult
    public func scan(now: Date = Date()) async throws -> Int {
        try await pool.withConnection { connection in
            let late = try await CurfewStore.states(premisesIDs: nil, now: now, on: connection).flatMap { premisesID, premises in
                premises.states.compactMap { state -> (premisesID: UUID, state: ResidentState, start: Date, end: Date)? in
                    guard state.state == .late, let start = state.curfewStart, let end = state.curfewEnd else { return nil }
                    return (premisesID, state, start, end)
                }
            }
            guard !late.isEmpty else { return 0 }
            let opened = try await connection.query(
                """
                WITH opened AS (
                    INSERT INTO curfew_breach (premises_id, placement_id, window_start, window_end, opened_at)
                    SELECT premises_id, placement_id, window_start, window_end, \(now)
                    FROM unnest(\(late.map(\.premisesID.uuidString))::uuid[], \(late.map(\.state.placementID.uuidString))::uuid[],
                                \(late.map(\.start.postgresText))::timestamptz[], \(late.map(\.end.postgresText))::timestamptz[])
                         AS l(premises_id, placement_id, window_start, window_end)
                    ON CONFLICT (placement_id, window_start) DO NOTHING
                    RETURNING id, placement_id, window_start
                )
                INSERT INTO audit_event (staff_id, action, entity, entity_id, before, after, request_id)
                SELECT NULL, 'curfew_breach.open', 'curfew_breach', upper(o.id::text), NULL,
                       jsonb_build_object('placementId', upper(o.placement_id::text),
                                          'windowStart', to_char(o.window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                       NULL
                FROM opened o
                RETURNING entity_id
                """)
            return opened.count
        }
    }

    static let columns: SQL = """
        b.id, b.placement_id, p.person_name, b.window_start, b.window_end, b.opened_at, b.closed_at, b.minutes_late,
        b.escalated_at, e.display_name AS escalated_by, b.pp_informed_at, b.police_informed_at, b.escalation_note,
        b.outcome, b.outcome_at, o.display_name AS outcome_by, b.outcome_note, b.voided_at, b.voided_by_movement
        """
    static let joins: SQL = """
        JOIN placement p ON p.id = b.placement_id
        LEFT JOIN staff e ON e.id = b.escalated_by
        LEFT JOIN staff o ON o.id = b.outcome_by
        """

    static func breach(_ row: PostgresRow) throws -> CurfewBreach {
        CurfewBreach(
            id: try row.decode("id"), placementID: try row.decode("placement_id"), personName: try row.decode("person_name"),
            windowStart: try row.decode("window_start"), windowEnd: try row.decode("window_end"),
            openedAt: try row.decode("opened_at"), closedAt: try row.decode("closed_at"), minutesLate: try row.decode("minutes_late"),
            escalatedAt: try row.decode("escalated_at"), escalatedBy: try row.decode("escalated_by"),
            ppInformedAt: try row.decode("pp_informed_at"), policeInformedAt: try row.decode("police_informed_at"),
            escalationNote: try row.decode("escalation_note"),
            outcome: (try row.decode("outcome", as: String?.self)).flatMap(CurfewBreach.Outcome.init(rawValue:)),
            outcomeAt: try row.decode("outcome_at"), outcomeBy: try row.decode("outcome_by"), outcomeNote: try row.decode("outcome_note"),
            voidedAt: try row.decode("voided_at"), voidedByEntry: try row.decode("voided_by_movement"))
    }

    static func load(_ id: UUID, on connection: PostgresConnection, lock: Bool) async throws -> (breach: CurfewBreach, premisesID: UUID) {
        let lockClause: SQL = lock ? "FOR UPDATE OF b" : ""
        guard
            let row = try await connection.first(
                "SELECT \(Self.columns), b.premises_id FROM curfew_breach b \(Self.joins) WHERE b.id = \(id) \(lockClause)")
        else {
            throw DomainError(.notFound, "there is no curfew breach \(id.uuidString.lowercased())")
        }
        return (try Self.breach(row), try row.decode("premises_id"))
    }

    /// A premises' breaches, newest first; `openOnly` for those not yet closed (escalated ones
    /// included: the resident is still away).
    /// `from ..< to`: only the breaches whose curfew began then, when given.
    public func list(premisesID: UUID, openOnly: Bool, from: Date? = nil, to: Date? = nil, by principal: Principal) async throws
        -> [CurfewBreach]
    {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see curfew breaches", premisesID: premisesID, on: connection)
            return try await connection.query(
                """
                SELECT \(Self.columns) FROM curfew_breach b \(Self.joins)
                WHERE b.premises_id = \(premisesID) AND (NOT \(openOnly) OR (b.closed_at IS NULL AND b.voided_at IS NULL))
                  AND (\(from)::timestamptz IS NULL OR b.window_start >= \(from)::timestamptz)
                  AND (\(to)::timestamptz IS NULL OR b.window_start < \(to)::timestamptz)
                ORDER BY b.window_start DESC, p.person_name
                LIMIT 500
                """
            ).map(Self.breach)
        }
    }

    /// One breach, for anyone at its premises, and its premises.
    public func breach(_ id: UUID, by principal: Principal) async throws -> (breach: CurfewBreach, premisesID: UUID) {
        try await pool.withConnection { connection in
            let found = try await Self.load(id, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see curfew breaches", premisesID: found.premisesID, on: connection)
            return found
        }
    }

    /// One resident's breaches, newest first.
    public func list(placementID: UUID, by principal: Principal) async throws -> [CurfewBreach] {
        try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see curfew breaches", premisesID: placement.premisesID, on: connection)
            return try await connection.query(
                """
                SELECT \(Self.columns) FROM curfew_breach b \(Self.joins)
                WHERE b.placement_id = \(placementID) ORDER BY b.window_start DESC
                """
            ).map(Self.breach)
        }
    }

    /// Escalates an open breach: the resident is absent overnight and the probation practitioner,
    /// the police or both have been told (at the times given, or now). It stays escalated until
    /// they sign in; telling the other one later is a second escalation.
    public func escalate(
        _ id: UUID, ppInformed: Bool, policeInformed: Bool, note: String?,
        by principal: Principal, now: Date = Date()
    ) async throws -> CurfewBreach {
        guard ppInformed || policeInformed else {
            throw DomainError.invalid(
                field: "ppInformed", rule: "informed",
                "an escalation says who was informed: ppInformed, policeInformed or both")
        }
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let (before, premisesID) = try await Self.load(id, on: connection, lock: true)
                try await PremisesAccess.require(
                    principal, Self.escalators, to: "escalate curfew breaches", premisesID: premisesID, on: connection)
                guard before.state != .void else {
                    throw DomainError(
                        .conflict,
                        "the breach is void: \(before.personName)'s log, as corrected, shows them in, so there is nothing to escalate")
                }
                guard before.state != .closed else {
                    throw DomainError(
                        .conflict,
                        "\(before.personName) signed in at \(before.closedAt!.formatted(.iso8601)): the breach is closed, so there is nothing to escalate"
                    )
                }
                let addsSomething = (ppInformed && before.ppInformedAt == nil) || (policeInformed && before.policeInformedAt == nil)
                guard addsSomething else {
                    throw DomainError(
                        .conflict, "the breach is already escalated to \(ppInformed ? "the probation practitioner" : "the police")")
                }
                try await connection.execute(
                    """
                    UPDATE curfew_breach SET escalated_at = coalesce(escalated_at, \(now)), escalated_by = coalesce(escalated_by, \(principal.staffID)),
                        pp_informed_at = CASE WHEN \(ppInformed) THEN coalesce(pp_informed_at, \(now)) ELSE pp_informed_at END,
                        police_informed_at = CASE WHEN \(policeInformed) THEN coalesce(police_informed_at, \(now)) ELSE police_informed_at END,
                        escalation_note = concat_ws(E'\\n', escalation_note, nullif(btrim(\(note ?? "")), ''))
                    WHERE id = \(id)
                    """)
                let after = try await Self.load(id, on: connection, lock: false).breach
                try await AuditLog.record(
                    on: connection, by: principal, action: "curfew_breach.escalate", entity: "curfew_breach",
                    entityID: id.uuidString, before: before, after: after)
                return after
            }
        }
    }

    /// Records how a breach ended, once: after the resident signed in or the breach was escalated.
    public func recordOutcome(
        _ id: UUID, outcome: String, note: String?,
        by principal: Principal, now: Date = Date()
    ) async throws -> CurfewBreach {
        guard let outcome = CurfewBreach.Outcome(rawValue: outcome) else {
            throw DomainError.invalid(
                field: "outcome", rule: "oneOf",
                "outcome must be one of "
                    + CurfewBreach.Outcome.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let (before, premisesID) = try await Self.load(id, on: connection, lock: true)
                try await PremisesAccess.require(
                    principal, Self.deciders, to: "record breach outcomes", premisesID: premisesID, on: connection)
                guard before.state != .void else {
                    throw DomainError(
                        .conflict, "the breach is void: \(before.personName)'s log, as corrected, shows them in, so it has no outcome")
                }
                guard before.state != .open else {
                    throw DomainError(
                        .conflict, "the breach is still open: record its outcome once \(before.personName) is back or it is escalated")
                }
                if let recorded = before.outcome {
                    throw DomainError(
                        .conflict, "the breach's outcome is already recorded (\(recorded.rawValue) by \(before.outcomeBy ?? "someone"))")
                }
                try await connection.execute(
                    """
                    UPDATE curfew_breach SET outcome = \(outcome.rawValue), outcome_at = \(now), outcome_by = \(principal.staffID), outcome_note = \(note)
                    WHERE id = \(id)
                    """)
                let after = try await Self.load(id, on: connection, lock: false).breach
                try await AuditLog.record(
                    on: connection, by: principal, action: "curfew_breach.outcome", entity: "curfew_breach",
                    entityID: id.uuidString, before: before, after: after)
                return after
            }
        }
    }
}
