import Foundation
import Postgres

/// Premises records, and who may see them.
public struct PremisesStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who opens premises.
    public static let openers: Set<Role> = [.administrator]
    /// Who changes a premises' details and house rules: its AP manager.
    public static let keepers: Set<Role> = [.administrator, .apManager]

    static let columns: SQL = """
        p.id, p.code, p.name, p.region_code, p.ap_type_code, p.gender, p.time_zone, p.postcode, p.address, p.telephone, p.local_restrictions,
        to_char(p.curfew_start, 'HH24:MI') AS curfew_start, to_char(p.curfew_end, 'HH24:MI') AS curfew_end,
        to_char(p.night_check_start, 'HH24:MI') AS night_check_start, to_char(p.night_check_end, 'HH24:MI') AS night_check_end,
        p.night_check_interval_minutes, p.key_work_interval_days, p.lab_result_days, p.active, p.version,
        coalesce((SELECT string_agg(f.characteristic_code, ',' ORDER BY f.characteristic_code) FROM premises_feature f WHERE f.premises_id = p.id), '') AS features
        """

    static func premises(from row: PostgresRow) throws -> Premises {
        Premises(
            id: try row.decode("id"), code: try row.decode("code"), name: try row.decode("name"),
            regionCode: try row.decode("region_code"), apType: try row.decode("ap_type_code"),
            gender: try row.decode("gender"), timeZone: try row.decode("time_zone"),
            postcode: try row.decode("postcode"), address: try row.decode("address"), telephone: try row.decode("telephone"),
            characteristics: (try row.decode("features", as: String.self)).split(separator: ",").map(String.init),
            localRestrictions: try row.decode("local_restrictions"),
            curfewStart: try row.decode("curfew_start"), curfewEnd: try row.decode("curfew_end"),
            nightCheckStart: try row.decode("night_check_start"), nightCheckEnd: try row.decode("night_check_end"),
            nightCheckIntervalMinutes: try row.decode("night_check_interval_minutes"),
            keyWorkIntervalDays: try row.decode("key_work_interval_days"), labResultDays: try row.decode("lab_result_days"),
            active: try row.decode("active"), version: try row.decode("version"))
    }

    /// Opens a premises (administrators).
    public func create(_ new: NewPremises, by principal: Principal) async throws -> Premises {
        try principal.require(Self.openers, to: "open a premises")
        try new.validate()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                if new.gender == "women",
                    let type = try await connection.first("SELECT womens_allowed FROM ap_type WHERE code = \(new.apType)"),
                    try type.decode("womens_allowed", as: Bool.self) == false
                {
                    throw DomainError.invalid(field: "apType", rule: "gender", "an AP of type \(new.apType) is for men only")
                }
                let row = try await connection.first(
                    """
                    INSERT INTO premises AS p (code, name, region_code, ap_type_code, gender, time_zone, postcode)
                    VALUES (\(new.code), \(new.name), \(new.regionCode), \(new.apType), \(new.gender), \(new.timeZone), \(new.postcode))
                    RETURNING \(Self.columns)
                    """)
                let premises = try Self.premises(from: row!)
                try await AuditLog.record(
                    on: connection, by: principal, action: "premises.create", entity: "premises",
                    entityID: premises.id.uuidString, before: Premises?.none, after: premises)
                return premises
            }
        }
    }

    /// Changes a premises if it is still at `expectedVersion` (administrators; the premises'
    /// own AP manager).
    public func update(_ id: UUID, expectedVersion: Int, changes: PremisesChanges, by principal: Principal) async throws -> Premises {
        try changes.validate()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                try await PremisesAccess.require(principal, Self.keepers, to: "change premises", premisesID: id, on: connection, lock: true)
                let before = try Self.premises(from: try await connection.one("SELECT \(Self.columns) FROM premises p WHERE p.id = \(id)"))
                guard before.version == expectedVersion else {
                    throw DomainError(
                        .preconditionFailed,
                        "this premises was changed by someone else since you read it (version \(before.version), you had \(expectedVersion)); read it again"
                    )
                }
                try changes.checkWindows(against: before)
                try await connection.execute(
                    """
                    UPDATE premises SET
                        name = coalesce(\(changes.name), name),
                        address = coalesce(\(changes.address), address),
                        postcode = coalesce(\(changes.postcode), postcode),
                        telephone = coalesce(\(changes.telephone), telephone),
                        local_restrictions = coalesce(\(changes.localRestrictions), local_restrictions),
                        curfew_start = coalesce(\(changes.curfewStart)::time, curfew_start),
                        curfew_end = coalesce(\(changes.curfewEnd)::time, curfew_end),
                        night_check_start = coalesce(\(changes.nightCheckStart)::time, night_check_start),
                        night_check_end = coalesce(\(changes.nightCheckEnd)::time, night_check_end),
                        night_check_interval_minutes = coalesce(\(changes.nightCheckIntervalMinutes), night_check_interval_minutes),
                        key_work_interval_days = coalesce(\(changes.keyWorkIntervalDays), key_work_interval_days),
                        lab_result_days = coalesce(\(changes.labResultDays), lab_result_days),
                        active = coalesce(\(changes.active), active),
                        version = version + 1, updated_at = now()
                    WHERE id = \(id)
                    """)
                if let characteristics = changes.characteristics {
                    try await connection.execute("DELETE FROM premises_feature WHERE premises_id = \(id)")
                    for code in Set(characteristics).sorted() {
                        try await connection.execute(
                            "INSERT INTO premises_feature (premises_id, characteristic_code) VALUES (\(id), \(code))")
                    }
                }
                let after = try Self.premises(from: try await connection.one("SELECT \(Self.columns) FROM premises p WHERE p.id = \(id)"))
                try await AuditLog.record(
                    on: connection, by: principal, action: "premises.update", entity: "premises",
                    entityID: id.uuidString, before: before, after: after)
                return after
            }
        }
    }

    /// The premises the caller may see, by code.
    public func list(by principal: Principal, page: PageRequest) async throws -> Page<Premises> {
        let after = try page.cursor.map { try $0.cursorKey() } ?? ""
        let rows = try await pool.query(
            """
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

    /// One premises by its code (as the web view's addresses name it); `notFound` when there is
    /// none, `forbidden` when it is not the caller's. Premises codes are the national directory's,
    /// not secret, so the refusal says whose premises it is not.
    public func get(code: String, by principal: Principal) async throws -> Premises {
        guard let row = try await pool.query("SELECT \(Self.columns) FROM premises p WHERE p.code = \(code.uppercased())").first else {
            throw DomainError(.notFound, "there is no premises with the code \(DomainError.quoting(code))")
        }
        let premises = try Self.premises(from: row)
        guard principal.canSee(premisesID: premises.id, regionCode: premises.regionCode) else {
            throw DomainError(.forbidden, "\(premises.name) is not a premises you work at or oversee, so its pages are not yours to see")
        }
        return premises
    }

    /// Throws `forbidden` unless the caller may see this premises' records.
    public static func requireVisible(_ premises: Premises, to principal: Principal) throws {
        guard principal.canSee(premisesID: premises.id, regionCode: premises.regionCode) else {
            throw PremisesAccess.notYours
        }
    }
}
