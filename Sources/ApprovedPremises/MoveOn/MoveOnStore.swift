import Foundation
import Postgres

/// Where a resident will live after the AP: opened by the arrival, closed by the departure.
public struct MoveOnPlan: Sendable, Equatable, Codable {
    /// A way to somewhere settled to live.
    public enum PathwayKind: String, Sendable, Codable, CaseIterable {
        case localAuthorityHousing = "local_authority_housing"
        case cas3Referral = "cas3_referral"
        case privateRented = "private_rented"
        case family
        case supportedHousing = "supported_housing"
        case other
    }

    /// How far a pathway has got.
    public enum PathwayStatus: String, Sendable, Codable, CaseIterable {
        case planned, applied
        case inProgress = "in_progress"
        case offered, accepted, declined, withdrawn
    }

    /// A pathway's status change, on a date.
    public struct Update: Sendable, Equatable, Codable {
        public var status: PathwayStatus
        public var on: CalendarDate
        public var note: String?
        public var by: String
    }

    /// One pathway pursued, with its history.
    public struct Pathway: Sendable, Equatable, Codable {
        public var id: UUID
        public var kind: PathwayKind
        public var detail: String?
        /// Every change of status, the first first; the status is the last.
        public var updates: [Update]

        public var status: PathwayStatus { updates.last?.status ?? .planned }
    }

    public var placementID: UUID
    public var personName: String
    public var openedAt: Date
    /// The expected departure.
    public var targetDate: CalendarDate
    public var address: String?
    public var addressConfirmedOn: CalendarDate?
    public var closedAt: Date?
    public var moveOnCategory: String?
    public var pathways: [Pathway]
}

/// A resident near their expected departure with nowhere confirmed to go.
public struct MoveOnFlag: Sendable, Equatable, Codable {
    public var placementID: UUID
    public var personName: String
    public var keyWorker: String?
    public var targetDate: CalendarDate
    public var daysLeft: Int
    /// The pathways pursued, with their status (`cas3_referral: applied`).
    public var pathways: [String]
}

/// Move-on plans. Key workers and managers record; everyone at the premises reads.
public struct MoveOnStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who works on move-on plans: key workers and managers.
    public static let workers: Set<Role> = [.administrator, .apManager, .keyWorker]

    /// How close to the expected departure a resident without an address is flagged.
    public static let flagWindowDays = 28

    /// A resident's plan; 404 until they have arrived.
    public func plan(_ placementID: UUID, by principal: Principal) async throws -> MoveOnPlan {
        try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see move-on plans", premisesID: placement.premisesID, on: connection)
            return try await Self.plan(placementID, on: connection)
        }
    }

    /// The plan a pathway belongs to, and the pathway.
    public func plan(ofPathway pathwayID: UUID, by principal: Principal) async throws -> (MoveOnPlan, MoveOnPlan.Pathway) {
        guard let row = try await pool.query("SELECT placement_id FROM move_on_pathway WHERE id = \(pathwayID)").first else {
            throw DomainError(.notFound, "there is no move-on pathway \(pathwayID.uuidString.lowercased())")
        }
        let plan = try await plan(try row.decode("placement_id"), by: principal)
        return (plan, plan.pathways.first { $0.id == pathwayID }!)
    }

    static func plan(_ placementID: UUID, on connection: PostgresConnection) async throws -> MoveOnPlan {
        guard
            let row = try await connection.first(
                """
                SELECT m.placement_id, p.person_name, m.opened_at, m.target_date, m.address, m.address_confirmed_on, m.closed_at, m.move_on_category_code
                FROM move_on_plan m JOIN placement p ON p.id = m.placement_id WHERE m.placement_id = \(placementID)
                """)
        else {
            throw DomainError(.notFound, "there is no move-on plan yet: it opens when the resident arrives")
        }
        var updates = [UUID: [MoveOnPlan.Update]]()
        for update in try await connection.query(
            """
            SELECT u.pathway_id, u.status, u.on_date, u.note, s.display_name AS by
            FROM move_on_pathway_update u JOIN move_on_pathway w ON w.id = u.pathway_id JOIN staff s ON s.id = u.recorded_by
            WHERE w.placement_id = \(placementID) ORDER BY u.id
            """)
        {
            updates[try update.decode("pathway_id"), default: []].append(
                .init(
                    status: .init(rawValue: try update.decode("status"))!, on: try update.decode("on_date"),
                    note: try update.decode("note"), by: try update.decode("by")))
        }
        let pathways = try await connection.query(
            """
            SELECT id, kind, detail FROM move_on_pathway WHERE placement_id = \(placementID) ORDER BY created_at
            """
        ).map { pathway in
            let id: UUID = try pathway.decode("id")
            return MoveOnPlan.Pathway(
                id: id, kind: .init(rawValue: try pathway.decode("kind"))!, detail: try pathway.decode("detail"), updates: updates[id] ?? []
            )
        }
        return MoveOnPlan(
            placementID: try row.decode("placement_id"), personName: try row.decode("person_name"), openedAt: try row.decode("opened_at"),
            targetDate: try row.decode("target_date"), address: try row.decode("address"),
            addressConfirmedOn: try row.decode("address_confirmed_on"), closedAt: try row.decode("closed_at"),
            moveOnCategory: try row.decode("move_on_category_code"), pathways: pathways)
    }

    /// Adds a pathway to pursue (planned until its first update).
    public func addPathway(_ placementID: UUID, kind: String, detail: String?, by principal: Principal, now: Date = Date()) async throws
        -> MoveOnPlan
    {
        guard MoveOnPlan.PathwayKind(rawValue: kind) != nil else {
            throw DomainError.invalid(
                field: "kind", rule: "oneOf",
                "kind must be one of " + MoveOnPlan.PathwayKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return try await change(placementID, action: "move_on.pathway", by: principal, now: now) { _, today, connection in
            let id: UUID = try await connection.one(
                """
                INSERT INTO move_on_pathway (placement_id, kind, detail, created_by) VALUES (\(placementID), \(kind), \(detail), \(principal.staffID))
                RETURNING id
                """
            ).decode("id")
            try await connection.execute(
                """
                INSERT INTO move_on_pathway_update (pathway_id, status, on_date, recorded_by) VALUES (\(id), 'planned', \(today), \(principal.staffID))
                """)
        }
    }

    /// Records a pathway's new status on a date.
    public func updatePathway(
        _ pathwayID: UUID, status: String, on date: CalendarDate?, note: String?, by principal: Principal,
        now: Date = Date()
    ) async throws -> MoveOnPlan {
        guard MoveOnPlan.PathwayStatus(rawValue: status) != nil else {
            throw DomainError.invalid(
                field: "status", rule: "oneOf",
                "status must be one of " + MoveOnPlan.PathwayStatus.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard
            let placementID: UUID = try await pool.query("SELECT placement_id FROM move_on_pathway WHERE id = \(pathwayID)").first?.decode(
                "placement_id")
        else {
            throw DomainError(.notFound, "there is no move-on pathway \(pathwayID.uuidString.lowercased())")
        }
        return try await change(placementID, action: "move_on.pathway_update", by: principal, now: now) { _, today, connection in
            if let date, date > today { throw DomainError.invalid(field: "on", rule: "future", "on must not be in the future") }
            try await connection.execute(
                """
                INSERT INTO move_on_pathway_update (pathway_id, status, on_date, note, recorded_by)
                VALUES (\(pathwayID), \(status), \(date ?? today), \(note), \(principal.staffID))
                """)
        }
    }

    /// Records the address found (confirmed on a date), which clears the resident's flag.
    public func setAddress(_ placementID: UUID, address: String, confirmedOn: CalendarDate?, by principal: Principal, now: Date = Date())
        async throws -> MoveOnPlan
    {
        guard !address.isBlank else {
            throw DomainError.invalid(field: "address", rule: "required", "address is required")
        }
        return try await change(placementID, action: "move_on.address", by: principal, now: now) { _, today, connection in
            if let confirmedOn, confirmedOn > today {
                throw DomainError.invalid(field: "confirmedOn", rule: "future", "confirmedOn must not be in the future")
            }
            try await connection.execute(
                """
                UPDATE move_on_plan SET address = \(address), address_confirmed_on = \(confirmedOn ?? today), address_recorded_by = \(principal.staffID)
                WHERE placement_id = \(placementID)
                """)
        }
    }

    private func change(
        _ placementID: UUID, action: String, by principal: Principal, now: Date,
        _ body: (MoveOnPlan, CalendarDate, PostgresConnection) async throws -> Void
    ) async throws -> MoveOnPlan {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let placement = try await PlacementStore.load(placementID, on: connection, lock: true)
                let premises = try await PremisesAccess.require(
                    principal, Self.workers, to: "work on move-on plans", premisesID: placement.premisesID, on: connection)
                let before = try await Self.plan(placementID, on: connection)
                guard before.closedAt == nil else {
                    throw DomainError(.conflict, "\(placement.personName) has left: the move-on plan closed with their departure")
                }
                try await body(before, CalendarDate.today(in: premises.timeZone, now: now), connection)
                let after = try await Self.plan(placementID, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: action, entity: "move_on_plan",
                    entityID: placementID.uuidString, before: before, after: after)
                return after
            }
        }
    }

    /// Residents within four weeks of their expected departure (or past it) with no confirmed
    /// address, soonest first; `keyWorkerID` narrows to one key worker's residents.
    public func flags(premisesID: UUID, keyWorkerID: UUID?, by principal: Principal, now: Date = Date()) async throws -> [MoveOnFlag] {
        try await pool.withConnection { connection in
            let premises = try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see move-on plans", premisesID: premisesID, on: connection)
            let today = CalendarDate.today(in: premises.timeZone, now: now)
            return try await connection.query(
                """
                SELECT m.placement_id, p.person_name, s.display_name AS key_worker, m.target_date,
                       coalesce((SELECT string_agg(w.kind || ': ' || (SELECT u.status FROM move_on_pathway_update u WHERE u.pathway_id = w.id ORDER BY u.id DESC LIMIT 1),
                                                   E'\\x1f' ORDER BY w.created_at)
                                 FROM move_on_pathway w WHERE w.placement_id = m.placement_id), '') AS pathways
                FROM move_on_plan m JOIN placement p ON p.id = m.placement_id LEFT JOIN staff s ON s.id = p.key_worker_id
                WHERE p.premises_id = \(premisesID) AND m.closed_at IS NULL AND m.address IS NULL
                  AND m.target_date <= \(today.adding(days: Self.flagWindowDays))::date
                  AND (\(keyWorkerID)::uuid IS NULL OR p.key_worker_id = \(keyWorkerID)::uuid)
                ORDER BY m.target_date, p.person_name
                """
            ).map { row in
                let target: CalendarDate = try row.decode("target_date")
                return MoveOnFlag(
                    placementID: try row.decode("placement_id"), personName: try row.decode("person_name"),
                    keyWorker: try row.decode("key_worker"), targetDate: target, daysLeft: today.days(to: target),
                    pathways: (try row.decode("pathways", as: String.self)).split(separator: "\u{1f}").map(String.init))
            }
        }
    }
}
