import Foundation
import Postgres

/// One of a member of staff's live sessions, as their list shows it.
public struct SessionSummary: Sendable, Equatable {
    public var id: UUID
    /// Where it was opened.
    public var client: SessionClient
    public var startedAt: Date
    public var lastUsedAt: Date
    /// When it ends unless used again sooner (the idle time-out) or later (the lifetime).
    public var expiresAt: Date
    /// Whether it is the session asking.
    public var current: Bool
}

extension SessionStore {
    /// The live sessions of a member of staff: the caller's own, or anyone's for an administrator.
    public func sessions(of staffID: UUID, by principal: Principal) async throws -> [SessionSummary] {
        try requireOwnOrAdministrator(staffID, principal, to: "see another person's sessions")
        return try await pool.query(
            """
            SELECT id, client, created_at, last_used_at, least(expires_at, last_used_at + make_interval(secs => \(times.idleSeconds))) AS ends_at
            FROM staff_session
            WHERE staff_id = \(staffID) AND revoked_at IS NULL AND expires_at > now()
              AND last_used_at > now() - make_interval(secs => \(times.idleSeconds))
            ORDER BY last_used_at DESC, id
            """
        ).map { row in
            let id: UUID = try row.decode("id")
            return SessionSummary(
                id: id, client: SessionClient(rawValue: try row.decode("client")) ?? .api, startedAt: try row.decode("created_at"),
                lastUsedAt: try row.decode("last_used_at"), expiresAt: try row.decode("ends_at"), current: id == principal.sessionID)
        }
    }

    /// Ends one session: the caller's own (any of them), or anyone's for an administrator; audited.
    public func end(session id: UUID, by principal: Principal) async throws {
        try await pool.transaction { connection in
            guard let row = try await connection.first("SELECT staff_id FROM staff_session WHERE id = \(id)") else {
                throw DomainError(.notFound, "there is no session \(id.uuidString.lowercased())")
            }
            let owner: UUID = try row.decode("staff_id")
            guard owner == principal.staffID || principal.role == .administrator else {
                throw DomainError(.notFound, "there is no session \(id.uuidString.lowercased())")
            }
            try await connection.execute(
                "UPDATE staff_session SET revoked_at = now(), ended_reason = 'ended from the list' WHERE id = \(id) AND revoked_at IS NULL")
            try await AuditLog.record(
                on: connection, by: principal, action: "session.end", entity: "staff_session", entityID: id.uuidString,
                before: String?.none, after: ["staffId": owner.uuidString])
        }
    }

    /// Ends every session of a member of staff but the caller's own (`ap sessions end --others`;
    /// an administrator ending someone's). Answers how many ended; audited.
    @discardableResult
    public func endSessions(of staffID: UUID, by principal: Principal, reason: String = "ended from the list") async throws -> Int {
        try requireOwnOrAdministrator(staffID, principal, to: "end another person's sessions")
        return try await pool.transaction { connection in
            let ended = try await Self.endSessions(of: staffID, except: principal.sessionID, reason: reason, on: connection)
            try await AuditLog.record(
                on: connection, by: principal, action: "session.end_all", entity: "staff", entityID: staffID.uuidString,
                before: String?.none, after: ["ended": ended])
            return ended
        }
    }

    /// Ends a member of staff's sessions on `connection`, but `kept`; answers how many.
    static func endSessions(of staffID: UUID, except kept: UUID?, reason: String, on connection: PostgresConnection) async throws -> Int {
        try await connection.execute(
            """
            UPDATE staff_session SET revoked_at = now(), ended_reason = \(reason)
            WHERE staff_id = \(staffID) AND revoked_at IS NULL AND id IS DISTINCT FROM \(kept)
            """)
    }

    /// Removes a person's second factor and recovery codes (a lost phone), ends their sessions,
    /// and tells them by e-mail when they have an address; administrators only, audited. Their
    /// next sign-in sets up a new factor.
    public func resetSecondFactor(of staffID: UUID, by principal: Principal) async throws {
        try principal.require([.administrator], to: "reset a second factor")
        try await pool.transaction { connection in
            guard
                let staff = try await connection.first(
                    "SELECT username, display_name, email FROM staff WHERE id = \(staffID) FOR UPDATE")
            else { throw DomainError(.notFound, "there is no member of staff \(staffID.uuidString.lowercased())") }
            let removed = try await connection.execute("DELETE FROM second_factor WHERE staff_id = \(staffID)")
            try await connection.execute("DELETE FROM recovery_code WHERE staff_id = \(staffID)")
            let ended = try await Self.endSessions(of: staffID, except: nil, reason: "second factor reset", on: connection)
            if let email: String = try staff.decode("email") {
                let details = try JSON.string([
                    "displayName": try staff.decode("display_name", as: String.self),
                    "username": try staff.decode("username", as: String.self),
                ])
                try await connection.execute(
                    """
                    INSERT INTO notification (event, recipient_kind, recipient, details)
                    VALUES ('second_factor_reset', 'staff', \(email), \(details)::jsonb)
                    """)
            }
            try await AuditLog.record(
                on: connection, by: principal, action: "second_factor.reset", entity: "staff", entityID: staffID.uuidString,
                before: ["hadFactor": removed == 1], after: ["sessionsEnded": ended])
        }
    }

    /// Changes the caller's own password, given the one they have, and ends their other
    /// sessions (the one asking stays); audited.
    public func changePassword(by principal: Principal, current: String, new password: String) async throws {
        try await refuseWhileLocked(principal.username)
        let row = try await pool.query("SELECT password_hash FROM staff WHERE id = \(principal.staffID)").first
        guard let hash: String = try row?.decode("password_hash"), try await hasher.verify(current, hash: hash) else {
            try await recordFailure(principal.username)
            throw DomainError.invalid(field: "currentPassword", rule: "wrong", "the current password is wrong")
        }
        var validation = Validation()
        PasswordRules.validate(password, username: principal.username, into: &validation)
        try validation.check()
        let newHash = try await hasher.hash(password)
        try await pool.transaction { connection in
            try await connection.execute(
                "UPDATE staff SET password_hash = \(newHash), updated_at = now(), version = version + 1 WHERE id = \(principal.staffID)")
            let ended = try await Self.endSessions(
                of: principal.staffID, except: principal.sessionID, reason: "password changed", on: connection)
            try await AuditLog.record(
                on: connection, by: principal, action: "staff.change_password", entity: "staff", entityID: principal.staffID.uuidString,
                before: String?.none, after: ["passwordChanged": 1, "sessionsEnded": ended])
        }
    }

    private func requireOwnOrAdministrator(_ staffID: UUID, _ principal: Principal, to action: String) throws {
        if staffID != principal.staffID { try principal.require([.administrator], to: action) }
    }
}

extension SessionStore {
    /// Sets whether a premises' residential workers and key workers sign in with a second
    /// factor (its AP managers always do): its AP manager or an administrator; audited.
    public func setSecondFactorForAllStaff(_ required: Bool, premisesID: UUID, by principal: Principal) async throws -> Bool {
        try await pool.transaction { connection in
            try await PremisesAccess.require(
                principal, PremisesStore.keepers, to: "change premises", premisesID: premisesID, on: connection, lock: true)
            let before: Bool = try await connection.one(
                "SELECT second_factor_for_all_staff FROM premises WHERE id = \(premisesID)"
            ).decode("second_factor_for_all_staff")
            try await connection.execute(
                "UPDATE premises SET second_factor_for_all_staff = \(required), updated_at = now() WHERE id = \(premisesID)")
            try await AuditLog.record(
                on: connection, by: principal, action: "premises.second_factor", entity: "premises", entityID: premisesID.uuidString,
                before: ["secondFactorForAllStaff": before], after: ["secondFactorForAllStaff": required])
            return required
        }
    }
}
