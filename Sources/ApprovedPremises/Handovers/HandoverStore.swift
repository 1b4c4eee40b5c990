import Foundation
import Postgres

/// What the outgoing shift tells the incoming one.
public struct Handover: Sendable, Equatable, Codable {
    /// A resident to watch, and why.
    public struct Watch: Sendable, Equatable, Codable {
        public var placementID: UUID
        public var personName: String
        public var why: String

        /// A value with each field given.
        public init(placementID: UUID, personName: String = "", why: String) {
            self.placementID = placementID
            self.personName = personName
            self.why = why
        }
    }

    public var id: UUID
    public var premisesID: UUID
    /// The shift that ended: day, late or night.
    public var shift: String
    public var notes: String
    public var watch: [Watch]
    public var tasks: [String]
    public var writtenBy: String
    public var writtenAt: Date
    /// Who has read it, and when.
    public var acknowledgements: [Acknowledgement]

    /// Who read a handover, and when.
    public struct Acknowledgement: Sendable, Equatable, Codable {
        public var staffName: String
        public var at: Date
    }
}

/// Handovers: written by the premises' staff at each shift change; each member of the incoming
/// staff acknowledges it, and until they do it stays in front of them.
public struct HandoverStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who writes and acknowledges handovers: the premises' staff.
    public static let staff: Set<Role> = [.administrator, .apManager, .residentialWorker, .keyWorker]
    /// How long an unread handover keeps asking to be read.
    public static let pendingHours = 24

    /// Writes a handover.
    public func write(premisesID: UUID, shift: String, notes: String, watch: [Handover.Watch], tasks: [String], by principal: Principal)
        async throws -> Handover
    {
        var v = Validation()
        v.require(["day", "late", "night"].contains(shift), field: "shift", rule: "oneOf", "shift must be day, late or night")
        v.require(!notes.isBlank, field: "notes", rule: "required", "notes are required")
        for (index, item) in watch.enumerated() {
            v.require(!item.why.isBlank, field: "watch[\(index)].why", rule: "required", "say why to watch each resident")
        }
        try v.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                try await PremisesAccess.require(principal, Self.staff, to: "write handovers", premisesID: premisesID, on: connection)
                let id: UUID = try await connection.one(
                    """
                    INSERT INTO handover (premises_id, shift, notes, written_by) VALUES (\(premisesID), \(shift), \(notes), \(principal.staffID)) RETURNING id
                    """
                ).decode("id")
                for item in watch {
                    let placement = try await PlacementStore.load(item.placementID, on: connection, lock: false)
                    guard placement.premisesID == premisesID, placement.status == .arrived else {
                        throw DomainError.invalid(field: "watch", rule: "resident", "\(placement.personName) is not a resident here")
                    }
                    try await connection.execute(
                        "INSERT INTO handover_watch (handover_id, placement_id, why) VALUES (\(id), \(item.placementID), \(item.why))")
                }
                for (position, task) in tasks.enumerated() where !task.isBlank {
                    try await connection.execute(
                        "INSERT INTO handover_task (handover_id, position, task) VALUES (\(id), \(position + 1), \(task))")
                }
                let handover = try await Self.load(id, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "handover.write", entity: "handover",
                    entityID: id.uuidString, before: Handover?.none, after: handover)
                return handover
            }
        }
    }

    /// Records that the caller has read a handover.
    public func acknowledge(_ id: UUID, by principal: Principal) async throws -> Handover {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                guard let row = try await connection.first("SELECT premises_id FROM handover WHERE id = \(id)") else {
                    throw DomainError(.notFound, "there is no handover \(id.uuidString.lowercased())")
                }
                try await PremisesAccess.require(
                    principal, Self.staff, to: "acknowledge handovers", premisesID: try row.decode("premises_id"), on: connection)
                let added = try await connection.execute(
                    """
                    INSERT INTO handover_acknowledgement (handover_id, staff_id) VALUES (\(id), \(principal.staffID)) ON CONFLICT DO NOTHING
                    """)
                if added == 1 {
                    try await AuditLog.record(
                        on: connection, by: principal, action: "handover.acknowledge", entity: "handover",
                        entityID: id.uuidString, before: String?.none, after: ["acknowledgedBy": principal.username])
                }
                return try await Self.load(id, on: connection)
            }
        }
    }

    /// One handover of a premises, as written, with its acknowledgements.
    public func get(_ id: UUID, premisesID: UUID, by principal: Principal) async throws -> Handover {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "read handovers", premisesID: premisesID, on: connection)
            guard try await connection.first("SELECT 1 AS n FROM handover WHERE id = \(id) AND premises_id = \(premisesID)") != nil else {
                throw DomainError(.notFound, "there is no handover \(id.uuidString.lowercased()) at this premises")
            }
            return try await Self.load(id, on: connection)
        }
    }

    /// The premises' latest handover, if there is one.
    public func latest(premisesID: UUID, by principal: Principal) async throws -> Handover? {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "read handovers", premisesID: premisesID, on: connection)
            guard
                let row = try await connection.first(
                    "SELECT id FROM handover WHERE premises_id = \(premisesID) ORDER BY created_at DESC, id LIMIT 1")
            else {
                return nil
            }
            return try await Self.load(try row.decode("id"), on: connection)
        }
    }

    /// Handovers of the last day the caller has not acknowledged (nor written), oldest first:
    /// they stay in front of the caller until read.
    public func pending(premisesID: UUID, by principal: Principal) async throws -> [Handover] {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "read handovers", premisesID: premisesID, on: connection)
            var handovers = [Handover]()
            for row in try await connection.query(
                """
                SELECT h.id FROM handover h
                WHERE h.premises_id = \(premisesID) AND h.written_by <> \(principal.staffID)
                  AND h.created_at > now() - make_interval(hours => \(Self.pendingHours))
                  AND NOT EXISTS (SELECT 1 FROM handover_acknowledgement a WHERE a.handover_id = h.id AND a.staff_id = \(principal.staffID))
                ORDER BY h.created_at, h.id
                """)
            {
                handovers.append(try await Self.load(try row.decode("id"), on: connection))
            }
            return handovers
        }
    }

    static func load(_ id: UUID, on connection: PostgresConnection) async throws -> Handover {
        let row = try await connection.one(
            """
            SELECT h.id, h.premises_id, h.shift, h.notes, s.display_name, h.created_at
            FROM handover h JOIN staff s ON s.id = h.written_by WHERE h.id = \(id)
            """)
        let watch = try await connection.query(
            """
            SELECT w.placement_id, p.person_name, w.why FROM handover_watch w JOIN placement p ON p.id = w.placement_id
            WHERE w.handover_id = \(id) ORDER BY p.person_name
            """
        ).map {
            Handover.Watch(placementID: try $0.decode("placement_id"), personName: try $0.decode("person_name"), why: try $0.decode("why"))
        }
        let tasks = try await connection.query("SELECT task FROM handover_task WHERE handover_id = \(id) ORDER BY position")
            .map { try $0.decode("task", as: String.self) }
        let acknowledgements = try await connection.query(
            """
            SELECT s.display_name, a.created_at FROM handover_acknowledgement a JOIN staff s ON s.id = a.staff_id
            WHERE a.handover_id = \(id) ORDER BY a.created_at
            """
        ).map { Handover.Acknowledgement(staffName: try $0.decode("display_name"), at: try $0.decode("created_at")) }
        return Handover(
            id: try row.decode("id"), premisesID: try row.decode("premises_id"), shift: try row.decode("shift"),
            notes: try row.decode("notes"), watch: watch, tasks: tasks, writtenBy: try row.decode("display_name"),
            writtenAt: try row.decode("created_at"), acknowledgements: acknowledgements)
    }
}
