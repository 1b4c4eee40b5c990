import Foundation
import Postgres

/// Staff accounts: opened, changed and listed by administrators (AP managers see their own
/// premises' staff).
public struct StaffStore: Sendable {
    let pool: PostgresPool
    let hasher: PasswordHasher

    /// A store over the pool, hashing passwords with `hasher`.
    public init(pool: PostgresPool, hasher: PasswordHasher) {
        self.pool = pool
        self.hasher = hasher
    }

    /// Who opens, changes and resets accounts.
    public static let administrators: Set<Role> = [.administrator]
    /// Who lists accounts (AP managers their own premises').
    public static let listers: Set<Role> = [.administrator, .apManager]
    /// Who sees who works at a premises: its own staff, and administrators.
    public static let colleagues: Set<Role> = [.administrator, .apManager, .residentialWorker, .keyWorker]

    static let columns: SQL = "s.id, s.username, s.display_name, s.email, s.role, s.premises_id, s.region_code, s.team, s.active, s.version"

    static func staff(from row: PostgresRow) throws -> Staff {
        Staff(
            id: try row.decode("id"), username: try row.decode("username"), displayName: try row.decode("display_name"),
            email: try row.decode("email"), role: Role(rawValue: try row.decode("role")) ?? .residentialWorker,
            premisesID: try row.decode("premises_id"), regionCode: try row.decode("region_code"), team: try row.decode("team"),
            active: try row.decode("active"), version: try row.decode("version"))
    }

    /// Opens an account (administrators).
    public func create(_ new: NewStaff, by principal: Principal) async throws -> Staff {
        try principal.require(Self.administrators, to: "open staff accounts")
        return try await create(new, auditedAs: principal)
    }

    /// An account by username, without a signed-in caller: for operators with database access
    /// (the demo data acts as its administrator).
    public func accountAsOperator(username: String) async throws -> Staff? {
        try await pool.query("SELECT \(Self.columns) FROM staff s WHERE s.username = \(username)").first.map(Self.staff)
    }

    /// Opens an account without a signed-in caller: for the first administrator and demo data,
    /// run by an operator with database access. Still audited, with no member of staff.
    public func createAsOperator(_ new: NewStaff) async throws -> Staff {
        try await create(new, auditedAs: nil)
    }

    private func create(_ new: NewStaff, auditedAs principal: Principal?) async throws -> Staff {
        var validation = Validation()
        StaffRules.validateUsername(new.username, into: &validation)
        StaffRules.validateDisplayName(new.displayName, into: &validation)
        StaffRules.validateEmail(new.email, into: &validation)
        PasswordRules.validate(new.password, username: new.username, into: &validation)
        StaffRules.validateScope(
            role: new.role, premisesID: new.premisesID, regionCode: new.regionCode, email: new.email, team: new.team, into: &validation)
        try validation.check()
        let hash = try await hasher.hash(new.password)
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let row = try await connection.first(
                    """
                    INSERT INTO staff AS s (username, display_name, email, role, premises_id, region_code, team, password_hash)
                    VALUES (\(new.username), \(new.displayName), \(new.email), \(new.role.rawValue),
                            \(new.premisesID), \(new.regionCode), \(new.team), \(hash))
                    RETURNING \(Self.columns)
                    """)
                let staff = try Self.staff(from: row!)
                try await AuditLog.record(
                    on: connection, by: principal, action: "staff.create", entity: "staff",
                    entityID: staff.id.uuidString, before: Staff?.none, after: staff)
                return staff
            }
        }
    }

    /// One account. Administrators see any; AP managers their premises' staff; anyone themselves.
    public func get(_ id: UUID, by principal: Principal) async throws -> Staff {
        guard let row = try await pool.query("SELECT \(Self.columns) FROM staff s WHERE s.id = \(id)").first else {
            throw DomainError(.notFound, "there is no member of staff \(id.uuidString.lowercased())")
        }
        let staff = try Self.staff(from: row)
        try Self.requireVisible(staff, to: principal)
        return staff
    }

    static func requireVisible(_ staff: Staff, to principal: Principal) throws {
        if principal.role == .administrator || principal.staffID == staff.id { return }
        if principal.role == .apManager, staff.premisesID != nil, staff.premisesID == principal.premisesID { return }
        // Someone at another premises is, to AP staff, someone they cannot know of.
        if principal.role.isPremisesStaff, staff.premisesID != principal.premisesID { throw PremisesAccess.notYours }
        throw DomainError(
            .forbidden, "you may not see this account: only administrators, and AP managers for their own premises, see other staff")
    }

    /// A page of accounts by username: all of them for administrators, an AP manager's own
    /// premises for AP managers. `premisesID` narrows the list to one premises.
    public func list(by principal: Principal, premisesID: UUID?, page: PageRequest) async throws -> Page<Staff> {
        try principal.require(Self.listers, to: "list staff")
        var premisesID = premisesID
        if principal.role == .apManager {
            if let asked = premisesID, asked != principal.premisesID {
                throw DomainError(.forbidden, "an AP manager may list only their own premises' staff")
            }
            premisesID = principal.premisesID
        }
        let after = try page.cursor.map { try $0.cursorKey() } ?? ""
        let rows = try await pool.query(
            """
            SELECT \(Self.columns) FROM staff s
            WHERE s.username > \(after) AND (\(premisesID)::uuid IS NULL OR s.premises_id = \(premisesID))
            ORDER BY s.username
            LIMIT \(page.limit + 1)
            """)
        return Page(items: try rows.map(Self.staff), limit: page.limit) { String(cursor: $0.username) }
    }

    /// A page of the accounts of one premises, for its own staff and administrators.
    public func listAtPremises(_ premisesID: UUID, by principal: Principal, page: PageRequest) async throws -> Page<Staff> {
        if principal.role.isPremisesStaff, principal.premisesID != premisesID { throw PremisesAccess.notYours }
        guard Self.colleagues.contains(principal.role), principal.role == .administrator || principal.premisesID == premisesID else {
            throw DomainError(.forbidden, "only the premises' own staff and administrators may see who works there")
        }
        let after = try page.cursor.map { try $0.cursorKey() } ?? ""
        let rows = try await pool.query(
            """
            SELECT \(Self.columns) FROM staff s
            WHERE s.premises_id = \(premisesID) AND s.username > \(after)
            ORDER BY s.username
            LIMIT \(page.limit + 1)
            """)
        return Page(items: try rows.map(Self.staff), limit: page.limit) { String(cursor: $0.username) }
    }

    /// Changes an account (administrators) if it is still at `expectedVersion`; deactivating
    /// an account, or changing its role or premises, ends its sessions.
    public func update(_ id: UUID, expectedVersion: Int, changes: StaffChanges, by principal: Principal) async throws -> Staff {
        try principal.require(Self.administrators, to: "change staff accounts")
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                guard let row = try await connection.first("SELECT \(Self.columns) FROM staff s WHERE s.id = \(id) FOR UPDATE") else {
                    throw DomainError(.notFound, "there is no member of staff \(id.uuidString.lowercased())")
                }
                let before = try Self.staff(from: row)
                guard before.version == expectedVersion else {
                    throw DomainError(
                        .preconditionFailed,
                        "this account was changed by someone else since you read it (version \(before.version), you had \(expectedVersion)); read it again and redo your change"
                    )
                }
                var after = before
                if let name = changes.displayName { after.displayName = name }
                if let email = changes.email { after.email = email.isEmpty ? nil : email }
                if let role = changes.role { after.role = role }
                if let premisesID = changes.premisesID { after.premisesID = premisesID }
                if let regionCode = changes.regionCode { after.regionCode = regionCode }
                if let team = changes.team { after.team = team.isBlank ? nil : team }
                if let active = changes.active { after.active = active }
                var validation = Validation()
                StaffRules.validateDisplayName(after.displayName, into: &validation)
                StaffRules.validateEmail(after.email, into: &validation)
                StaffRules.validateScope(
                    role: after.role, premisesID: after.premisesID, regionCode: after.regionCode, email: after.email, team: after.team,
                    into: &validation)
                try validation.check()
                let updated = try await connection.first(
                    """
                    UPDATE staff AS s SET display_name = \(after.displayName), email = \(after.email), role = \(after.role.rawValue),
                        premises_id = \(after.premisesID), region_code = \(after.regionCode), team = \(after.team),
                        active = \(after.active),
                        version = s.version + 1, updated_at = now()
                    WHERE s.id = \(id)
                    RETURNING \(Self.columns)
                    """)
                after = try Self.staff(from: updated!)
                if !after.active || after.role != before.role || after.premisesID != before.premisesID
                    || after.regionCode != before.regionCode
                {
                    _ = try await SessionStore.endSessions(
                        of: id, except: nil, reason: after.active ? "role or place changed" : "account deactivated", on: connection)
                }
                try await AuditLog.record(
                    on: connection, by: principal, action: "staff.update", entity: "staff",
                    entityID: id.uuidString, before: before, after: after)
                return after
            }
        }
    }

    /// Sets a new password (administrators) and ends the account's sessions.
    public func resetPassword(_ id: UUID, to password: String, by principal: Principal) async throws {
        try principal.require(Self.administrators, to: "reset passwords")
        try await setPassword(id, to: password, auditedAs: principal)
    }

    /// Sets a new password as an operator with database access (`ap staff reset-password --direct`).
    public func resetPasswordAsOperator(username: String, to password: String) async throws {
        guard let row = try await pool.query("SELECT id FROM staff WHERE username = \(username)").first else {
            throw DomainError(.notFound, "there is no member of staff called \(DomainError.quoting(username))")
        }
        try await setPassword(try row.decode("id"), to: password, auditedAs: nil)
    }

    private func setPassword(_ id: UUID, to password: String, auditedAs principal: Principal?) async throws {
        guard let row = try await pool.query("SELECT username FROM staff WHERE id = \(id)").first else {
            throw DomainError(.notFound, "there is no member of staff \(id.uuidString.lowercased())")
        }
        let username: String = try row.decode("username")
        var validation = Validation()
        PasswordRules.validate(password, username: username, into: &validation)
        try validation.check()
        let hash = try await hasher.hash(password)
        try await pool.transaction { connection in
            try await connection.execute(
                "UPDATE staff SET password_hash = \(hash), updated_at = now(), version = version + 1 WHERE id = \(id)")
            _ = try await SessionStore.endSessions(of: id, except: nil, reason: "password reset", on: connection)
            try await connection.execute("DELETE FROM sign_in_throttle WHERE username = \(username)")
            try await AuditLog.record(
                on: connection, by: principal, action: "staff.reset_password", entity: "staff",
                entityID: id.uuidString, before: String?.none, after: ["passwordChanged": true])
        }
    }
}
