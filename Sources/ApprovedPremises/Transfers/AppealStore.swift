import Foundation
import Postgres

/// Placement appeals: before the person arrives, the manager of the booked AP questions the
/// booking; the referral unit accepts the appeal (the booking is cancelled, "AP has appealed the
/// placement", and the referral is ready to match again, its history kept) or rejects it (the
/// booking stands). The booking of a transfer may be appealed too: accepted, the transfer is
/// cancelled and the resident stays where they are.
public struct AppealStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who appeals: the booked AP's manager.
    public static let appellants: Set<Role> = [.administrator, .apManager]

    /// Appeals the booking `placementID`, before the arrival.
    public func appeal(_ placementID: UUID, reason: String, notes: String?, by principal: Principal) async throws -> PlacementAppeal {
        try principal.require(Self.appellants, to: "appeal placements")
        let notes = try TransferStore.notes(notes, required: reason == "OTHER")
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let peek = try await PlacementStore.load(placementID, on: connection, lock: false)
                let premises = try await PremisesAccess.require(
                    principal, Self.appellants, to: "appeal placements", premisesID: peek.premisesID, on: connection)
                let placement = try await PlacementStore.load(placementID, on: connection, lock: true)
                guard placement.status == .upcoming else {
                    throw DomainError(
                        .conflict,
                        "a booking is appealed before the arrival; \(placement.personName)'s placement at \(premises.name) is \(placement.status.rawValue.replacingOccurrences(of: "_", with: " "))"
                    )
                }
                guard try await connection.first("SELECT 1 AS known FROM appeal_reason WHERE code = \(reason) AND active") != nil else {
                    throw DomainError.invalid(field: "reason", rule: "unknown", "reason must be a code of /reference/appeal-reasons")
                }
                if try await connection.first(
                    "SELECT 1 AS waiting FROM placement_appeal WHERE placement_id = \(placementID) AND status = 'pending'")
                    != nil
                {
                    throw DomainError(.conflict, "an appeal of this booking is already waiting for the referral unit")
                }
                let id: UUID = try await connection.one(
                    """
                    INSERT INTO placement_appeal (placement_id, reason_code, notes, appealed_by)
                    VALUES (\(placementID), \(reason), \(notes), \(principal.staffID)) RETURNING id
                    """
                ).decode("id")
                let appeal = try await Self.load(id, visibleTo: principal, on: connection, lock: false)
                try await Self.event(
                    appeal, "appealed", note: appeal.reasonName + (notes.map { ": " + $0 } ?? ""), by: principal, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "placement.appeal", entity: "placement_appeal", entityID: id.uuidString,
                    before: PlacementAppeal?.none, after: appeal)
                return appeal
            }
        }
    }

    /// The appeals the caller may see: the unit sees all, an AP manager their premises'.
    public func list(status: PlacementAppeal.Status?, by principal: Principal, limit: Int = 200) async throws -> [PlacementAppeal] {
        try principal.require(TransferStore.readers, to: "see appeals")
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT \(PlacementAppeal.columns) FROM \(PlacementAppeal.tables)
                WHERE \(Self.visible(to: principal)) AND (\(status?.rawValue)::text IS NULL OR a.status = \(status?.rawValue))
                ORDER BY CASE WHEN a.status = 'pending' THEN p.expected_arrival END, a.appealed_at DESC
                LIMIT \(limit)
                """
            ).map(PlacementAppeal.init(row:))
        }
    }

    /// One appeal, for the unit and the booked AP's manager; anyone else is told there is none.
    public func get(_ id: UUID, by principal: Principal) async throws -> PlacementAppeal {
        try principal.require(TransferStore.readers, to: "see appeals")
        return try await pool.withConnection { connection in
            try await Self.load(id, visibleTo: principal, on: connection, lock: false)
        }
    }

    /// Accepts or rejects a waiting appeal. Accepted, the booking is cancelled and the referral
    /// goes back to the queue ready to match; rejected, the booking stands.
    public func decide(_ id: UUID, accept: Bool, notes: String?, expectedVersion: Int?, by principal: Principal) async throws
        -> PlacementAppeal
    {
        try principal.require(TransferStore.deciders, to: "decide appeals")
        let notes = try TransferStore.notes(notes, required: false)
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let before = try await Self.load(id, visibleTo: principal, on: connection, lock: true)
                if let expectedVersion, expectedVersion != before.version {
                    throw DomainError(
                        .preconditionFailed,
                        "this appeal was changed by someone else since you read it (version \(before.version), you had \(expectedVersion)); read it again"
                    )
                }
                guard before.status == .pending else {
                    throw DomainError(.conflict, "this appeal was already \(before.status.rawValue)")
                }
                let placement = try await PlacementStore.load(before.placementID, on: connection, lock: true)
                if accept {
                    guard placement.status == .upcoming else {
                        throw DomainError(
                            .conflict,
                            "\(placement.personName)'s placement is \(placement.status.rawValue.replacingOccurrences(of: "_", with: " ")), so the booking can no longer be cancelled"
                        )
                    }
                    try await connection.execute(
                        """
                        UPDATE placement SET cancelled_at = now(), cancellation_reason_code = 'AP_APPEAL', cancellation_notes = \(notes),
                            version = version + 1, updated_at = now()
                        WHERE id = \(placement.id)
                        """)
                    try await PlacementStore.fitAllocations(placement.id, on: connection)
                    if placement.transferredFrom != nil { try await TransferStore.lapse(continuation: placement.id, on: connection) }
                    // A booking that continues a stay by a transfer: the transfer is cancelled and the
                    // resident stays where they are; any other goes back to the queue.
                    if let referral = before.referralID, placement.transferredFrom == nil {
                        try await connection.execute(
                            """
                            UPDATE referral SET status = 'ready_to_match', version = version + 1, updated_at = now()
                            WHERE id = \(referral) AND status = 'booked'
                            """)
                    }
                }
                try await connection.execute(
                    """
                    UPDATE placement_appeal SET status = \(accept ? "accepted" : "rejected"), decided_by = \(principal.staffID),
                        decided_at = now(), decision_notes = \(notes), version = version + 1
                    WHERE id = \(id)
                    """)
                let after = try await Self.load(id, visibleTo: principal, on: connection, lock: false)
                try await Self.event(
                    after, accept ? "appeal_accepted" : "appeal_rejected",
                    note: (accept ? "Booking at \(after.premisesName) cancelled" : "Booking at \(after.premisesName) stands")
                        + (notes.map { ": " + $0 } ?? ""),
                    by: principal, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: accept ? "placement.appeal_accepted" : "placement.appeal_rejected",
                    entity: "placement_appeal", entityID: id.uuidString, before: before, after: after)
                return after
            }
        }
    }

    static func visible(to principal: Principal) -> SQL {
        switch principal.role {
        case .administrator, .referralManager: "true"
        case .apManager: "p.premises_id = \(principal.premisesID)"
        case .regionalManager: "pr.region_code = \(principal.regionCode)"
        default: "false"
        }
    }

    static func load(_ id: UUID, visibleTo principal: Principal, on connection: PostgresConnection, lock: Bool) async throws
        -> PlacementAppeal
    {
        let lockClause: SQL = lock ? "FOR UPDATE OF a" : ""
        guard
            let row = try await connection.first(
                "SELECT \(PlacementAppeal.columns) FROM \(PlacementAppeal.tables) WHERE a.id = \(id) AND \(visible(to: principal)) \(lockClause)"
            )
        else {
            throw DomainError(.notFound, "there is no appeal \(id.uuidString.lowercased()), or it is not one you may see")
        }
        return try PlacementAppeal(row: row)
    }

    static func event(_ appeal: PlacementAppeal, _ kind: String, note: String?, by principal: Principal, on connection: PostgresConnection)
        async throws
    {
        guard let referral = appeal.referralID else { return }
        try await ReferralStore.event(referral, kind, note: note, placement: appeal.placementID, by: principal, on: connection)
    }
}
