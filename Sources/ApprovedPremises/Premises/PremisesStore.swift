import Foundation
import Postgres

/// Premises records, and who may see them.
public struct PremisesStore: Sendable {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    static let columns: SQL = "p.id, p.code, p.name, p.region_code, p.ap_type_code, p.gender, p.time_zone, p.postcode, p.active, p.version"

    static func premises(from row: PostgresRow) throws -> Premises {
        Premises(
            id: try row.decode("id"), code: try row.decode("code"), name: try row.decode("name"),
            regionCode: try row.decode("region_code"), apType: try row.decode("ap_type_code"),
            gender: try row.decode("gender"), timeZone: try row.decode("time_zone"),
            postcode: try row.decode("postcode"), active: try row.decode("active"), version: try row.decode("version"))
    }

    /// Opens a premises (administrators).
    public func create(_ new: NewPremises, by principal: Principal) async throws -> Premises {
        try principal.require([.administrator], to: "open a premises")
        try new.validate()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let row = try await connection.first("""
                    INSERT INTO premises AS p (code, name, region_code, ap_type_code, gender, time_zone, postcode)
                    VALUES (\(new.code), \(new.name), \(new.regionCode), \(new.apType), \(new.gender), \(new.timeZone), \(new.postcode))
                    RETURNING \(Self.columns)
                    """)
                let premises = try Self.premises(from: row!)
                try await AuditLog.record(on: connection, by: principal, action: "premises.create", entity: "premises",
                                          entityID: premises.id.uuidString, before: Premises?.none, after: premises)
                return premises
            }
        }
    }

    /// The premises the caller may see, by code.
    public func list(by principal: Principal, page: PageRequest) async throws -> Page<Premises> {
        let after = try page.cursor.map { try $0.cursorKey() } ?? ""
        let rows = try await pool.query("""
            SELECT \(Self.columns) FROM premises p
            WHERE p.code > \(after)
              AND (\(principal.role.rawValue) IN ('administrator', 'referral_manager')
                   OR (\(principal.role.rawValue) = 'regional_manager' AND p.region_code = \(principal.regionCode))
                   OR p.id = \(principal.premisesID))
            ORDER BY p.code
            LIMIT \(page.limit + 1)
            """)
        return Page(items: try rows.map(Self.premises), limit: page.limit) { String(cursor: $0.code) }
    }

    /// One premises; `notFound` when there is none, `forbidden` when it is not the caller's.
    public func get(_ id: UUID, by principal: Principal) async throws -> Premises {
        guard let row = try await pool.query("SELECT \(Self.columns) FROM premises p WHERE p.id = \(id)").first else {
            throw DomainError(.notFound, "there is no premises \(id.uuidString.lowercased())")
        }
        let premises = try Self.premises(from: row)
        try Self.requireVisible(premises, to: principal)
        return premises
    }

    /// Throws `forbidden` unless the caller may see this premises' records.
    public static func requireVisible(_ premises: Premises, to principal: Principal) throws {
        guard principal.canSee(premisesID: premises.id, regionCode: premises.regionCode) else {
            throw DomainError(.forbidden, "you may not see \(premises.name): it is not a premises you work at or oversee")
        }
    }
}
