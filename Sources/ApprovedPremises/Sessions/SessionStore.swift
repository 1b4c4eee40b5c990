import Crypto
import Foundation
import Postgres

/// A successful sign-in: the bearer token (shown once, never stored) and who it is for.
public struct SignedIn: Sendable {
    /// The opaque bearer token.
    public var token: String
    /// When the token stops working.
    public var expiresAt: Date
    /// Who signed in.
    public var staff: Staff
}

/// Sign-in, sign-out and the bearer tokens that identify staff on every call.
///
/// A token is 32 random bytes; only its SHA-256 is stored, so a copy of the database holds no
/// usable token. It lasts one shift. After `freeAttempts` wrong passwords in a row for a
/// username, each further attempt must wait twice as long as the last (1 s, 2 s, ... 15 min).
public struct SessionStore: Sendable {
    let pool: PostgresPool
    let hasher: PasswordHasher
    /// How long a token lasts: a 12-hour shift and an hour's grace.
    public var sessionLength: Duration
    /// Wrong passwords in a row allowed before attempts are slowed.
    public var freeAttempts: Int

    /// A store over the pool, hashing passwords with `hasher`.
    public init(pool: PostgresPool, hasher: PasswordHasher, sessionLength: Duration = .seconds(13 * 3600), freeAttempts: Int = 5) {
        self.pool = pool
        self.hasher = hasher
        self.sessionLength = sessionLength
        self.freeAttempts = freeAttempts
    }

    /// Checks a username and password and opens a session.
    public func signIn(username rawUsername: String, password: String, requestID: String? = nil) async throws -> SignedIn {
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        var validation = Validation()
        validation.require(!username.isEmpty, field: "username", rule: "required", "username is required")
        validation.require(!password.isEmpty, field: "password", rule: "required", "password is required")
        try validation.check()

        if let wait = try await secondsLocked(username), wait > 0 {
            throw DomainError(
                .rateLimited(retryAfterSeconds: wait),
                "too many wrong passwords for \(username); try again in \(wait) seconds")
        }
        let row = try await pool.query(
            """
            SELECT \(StaffStore.columns), s.password_hash FROM staff s WHERE s.username = \(username)
            """
        ).first
        let matches: Bool
        if let hash: String = try row?.decode("password_hash") {
            matches = try await hasher.verify(password, hash: hash)
        } else {
            // An unknown username costs as much time as a real one, so timing tells nothing.
            _ = try await hasher.hash(password)
            matches = false
        }
        guard let row, matches, let staff = try? StaffStore.staff(from: row), staff.active else {
            try await recordFailure(username)
            throw DomainError(.unauthenticated, "the username or password is wrong, or the account is inactive")
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token =
            "ap_"
            + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        // Both ends of the session from one clock, the database's: a service whose clock is
        // behind the database's still makes a session that ends after it starts.
        let seconds = Int(sessionLength.components.seconds)
        let expiresAt: Date = try await pool.transaction { connection in
            try await connection.execute("DELETE FROM sign_in_throttle WHERE username = \(username)")
            let row = try await connection.one(
                """
                INSERT INTO staff_session (staff_id, token_hash, created_at, expires_at)
                VALUES (\(staff.id), \(Self.hash(token)), now(), now() + make_interval(secs => \(seconds)))
                RETURNING id, expires_at
                """)
            let session: UUID = try row.decode("id")
            let expiresAt: Date = try row.decode("expires_at")
            let principal = Principal(
                staffID: staff.id, username: staff.username, displayName: staff.displayName,
                role: staff.role, premisesID: staff.premisesID, regionCode: staff.regionCode,
                sessionID: session, expiresAt: expiresAt, requestID: requestID)
            try await AuditLog.record(
                on: connection, by: principal, action: "session.sign_in", entity: "staff_session",
                entityID: session.uuidString, before: String?.none,
                after: ["staffId": staff.id.uuidString, "expiresAt": expiresAt.formatted(.iso8601)])
            return expiresAt
        }
        return SignedIn(token: token, expiresAt: expiresAt, staff: staff)
    }

    /// Who a bearer token belongs to; `unauthenticated` when it is unknown, revoked or expired.
    public func authenticate(token: String) async throws -> Principal {
        guard token.hasPrefix("ap_"), token.count < 100 else {
            throw DomainError(.unauthenticated, "the bearer token is not one this service gave out; sign in again")
        }
        let row = try await pool.query(
            """
            SELECT ss.id AS session_id, ss.expires_at, \(StaffStore.columns)
            FROM staff_session ss JOIN staff s ON s.id = ss.staff_id
            WHERE ss.token_hash = \(Self.hash(token)) AND ss.revoked_at IS NULL AND ss.expires_at > now() AND s.active
            """, reusingPlan: true
        ).first
        guard let row else {
            throw DomainError(.unauthenticated, "the session has expired or was ended; sign in again")
        }
        let staff = try StaffStore.staff(from: row)
        return Principal(
            staffID: staff.id, username: staff.username, displayName: staff.displayName, role: staff.role,
            premisesID: staff.premisesID, regionCode: staff.regionCode,
            sessionID: try row.decode("session_id"), expiresAt: try row.decode("expires_at"))
    }

    /// The member of staff a token was given to, whether or not its session is still live (a
    /// form sent after the sign-in ended is kept for them alone).
    public func owner(ofToken token: String) async throws -> UUID? {
        guard token.hasPrefix("ap_"), token.count < 100 else { return nil }
        return try await pool.query("SELECT staff_id FROM staff_session WHERE token_hash = \(Self.hash(token))").first?.decode("staff_id")
    }

    /// Extends the caller's session by an hour from now, to at most `longestSession` after it
    /// began (the page's time-out warning offers it); audited. Answers the new end.
    public func extend(_ principal: Principal) async throws -> Date {
        try await pool.transaction { connection in
            guard
                let row = try await connection.first(
                    """
                    UPDATE staff_session SET expires_at = greatest(expires_at, least(now() + interval '1 hour', created_at + make_interval(secs => \(Self.longestSession))))
                    WHERE id = \(principal.sessionID) AND revoked_at IS NULL AND expires_at > now()
                    RETURNING expires_at
                    """)
            else { throw DomainError(.unauthenticated, "the session has expired or was ended; sign in again") }
            let expiresAt: Date = try row.decode("expires_at")
            try await AuditLog.record(
                on: connection, by: principal, action: "session.extend", entity: "staff_session",
                entityID: principal.sessionID.uuidString, before: ["expiresAt": principal.expiresAt.formatted(.iso8601)],
                after: ["expiresAt": expiresAt.formatted(.iso8601)])
            return expiresAt
        }
    }

    /// The longest a session may be extended to, from its sign-in: 20 hours.
    public static let longestSession = 20 * 3600

    /// Ends the caller's session.
    public func signOut(_ principal: Principal) async throws {
        try await pool.transaction { connection in
            try await connection.execute(
                "UPDATE staff_session SET revoked_at = now() WHERE id = \(principal.sessionID) AND revoked_at IS NULL")
            try await AuditLog.record(
                on: connection, by: principal, action: "session.sign_out", entity: "staff_session",
                entityID: principal.sessionID.uuidString, before: String?.none, after: String?.none)
        }
    }

    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    private func secondsLocked(_ username: String) async throws -> Int? {
        let row = try await pool.query(
            """
            SELECT ceil(extract(epoch FROM locked_until - now()))::integer AS wait
            FROM sign_in_throttle WHERE username = \(username) AND locked_until > now()
            """
        ).first
        return try row?.decode("wait")
    }

    private func recordFailure(_ username: String) async throws {
        try await pool.execute(
            """
            INSERT INTO sign_in_throttle AS t (username, consecutive_failures, last_failure_at)
            VALUES (\(username), 1, now())
            ON CONFLICT (username) DO UPDATE SET
                consecutive_failures = t.consecutive_failures + 1,
                last_failure_at = now(),
                locked_until = CASE WHEN t.consecutive_failures + 1 >= \(freeAttempts)
                    THEN now() + make_interval(secs => least(900, power(2, t.consecutive_failures + 1 - \(freeAttempts))))
                    ELSE NULL END
            """)
    }
}
