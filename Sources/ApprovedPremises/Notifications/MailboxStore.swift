import Foundation
import Postgres

/// The organisation's mailboxes the outbox writes to: each region's Central Referral Unit and
/// out-of-hours probation mailbox, and each premises' own. Administrators set them; every change
/// is audited.
public struct MailboxStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Every mailbox set, regions first.
    public func list(by principal: Principal) async throws -> [Mailbox] {
        guard NotificationStore.administrators.contains(principal.role) else {
            throw DomainError(.forbidden, "only administrators read the mailboxes")
        }
        return try await pool.query(
            """
            SELECT m.kind, m.region_code, p.code AS premises_code, m.address, m.updated_at
            FROM mailbox m LEFT JOIN premises p ON p.id = m.premises_id
            ORDER BY m.kind = 'premises', m.region_code, p.code, m.kind
            """
        ).map(Self.mailbox)
    }

    /// Sets (or changes) one mailbox: a region's (`cru`, `out_of_hours`) by its code, a premises'
    /// by its code. The address must look like one.
    public func set(kind: Mailbox.Kind, regionCode: String?, premisesCode: String?, address: String, by principal: Principal)
        async throws -> Mailbox
    {
        guard NotificationStore.administrators.contains(principal.role) else {
            throw DomainError(.forbidden, "only administrators set mailboxes")
        }
        var v = Validation()
        let address = address.trimmingCharacters(in: .whitespaces)
        v.require(
            EmailText.looksValid(address), field: "address", rule: "format", "address must be an e-mail address, such as cru@example.org")
        // Which of region and premises a kind names is a rule of the service's, not of the API
        // document (which allows both fields on every kind): "scope", answered 422.
        if kind == .premises {
            v.require(premisesCode != nil, field: "premises", rule: "scope", "a premises' mailbox names the premises")
            v.require(regionCode == nil, field: "region", rule: "scope", "a premises' mailbox names no region")
        } else {
            v.require(regionCode != nil, field: "region", rule: "scope", "a \(kind.rawValue) mailbox names its region")
            v.require(premisesCode == nil, field: "premises", rule: "scope", "a \(kind.rawValue) mailbox names no premises")
        }
        try v.check()
        return try await pool.transaction { connection in
            var premisesID: UUID?
            if let premisesCode {
                guard let row = try await connection.first("SELECT id FROM premises WHERE code = \(premisesCode)") else {
                    throw DomainError.invalid(field: "premises", rule: "unknown", "there is no premises \(premisesCode)")
                }
                premisesID = try row.decode("id")
            }
            if let regionCode, try await connection.first("SELECT 1 AS one FROM probation_region WHERE code = \(regionCode)") == nil {
                throw DomainError.invalid(
                    field: "region", rule: "unknown", "region is not a known probation region (probation_regions.csv)")
            }
            let before = try await connection.first(
                """
                SELECT address FROM mailbox
                WHERE kind = \(kind.rawValue) AND region_code IS NOT DISTINCT FROM \(regionCode)::text
                  AND premises_id IS NOT DISTINCT FROM \(premisesID)::uuid
                """
            ).map { try $0.decode("address", as: String.self) }
            if before == address {
                // The same address again: nothing changes, and nothing is audited.
                return try Self.mailbox(
                    try await connection.one(
                        """
                        SELECT kind, region_code, \(premisesCode)::text AS premises_code, address, updated_at FROM mailbox
                        WHERE kind = \(kind.rawValue) AND region_code IS NOT DISTINCT FROM \(regionCode)::text
                          AND premises_id IS NOT DISTINCT FROM \(premisesID)::uuid
                        """))
            }
            let row = try await connection.one(
                """
                INSERT INTO mailbox (kind, region_code, premises_id, address, updated_by)
                VALUES (\(kind.rawValue), \(regionCode), \(premisesID), \(address), \(principal.staffID))
                ON CONFLICT ON CONSTRAINT mailbox_one_per_scope
                DO UPDATE SET address = EXCLUDED.address, updated_by = EXCLUDED.updated_by, updated_at = now()
                RETURNING kind, region_code, \(premisesCode)::text AS premises_code, address, updated_at
                """)
            let mailbox = try Self.mailbox(row)
            try await AuditLog.record(
                on: connection, by: principal, action: "mailbox.set", entity: "mailbox",
                entityID: "\(kind.rawValue):\(regionCode ?? premisesCode ?? "")", before: before.map { ["address": $0] },
                after: ["address": address])
            return mailbox
        }
    }

    static func mailbox(_ row: PostgresRow) throws -> Mailbox {
        Mailbox(
            kind: Mailbox.Kind(rawValue: try row.decode("kind")) ?? .premises, regionCode: try row.decode("region_code"),
            premisesCode: try row.decode("premises_code"), address: try row.decode("address"), updatedAt: try row.decode("updated_at"))
    }
}
