import Crypto
import Foundation
import Postgres

/// A successful sign-in: the bearer token (shown once, never stored) and who it is for.
public struct SignedIn: Sendable {
    /// The opaque bearer token.
    public var token: String
    /// When the token stops working, unless it is left idle first.
    public var expiresAt: Date
    /// Who signed in.
    public var staff: Staff
    /// The ten recovery codes, when this sign-in confirmed a new second factor (shown once).
    public var recoveryCodes: [String]?
}

/// Where a session was opened: the web view, the `ap` command line, or another client of the API.
public enum SessionClient: String, Sendable, Codable, CaseIterable {
    case browser, ap, api
}

/// How long sessions last: `length` from sign-in, extended (by the page's time-out warning) to
/// at most `lifetime` after it, and ended sooner by `idle` without a request.
public struct SessionTimes: Sendable, Equatable {
    /// A new session's length: a 12-hour shift and an hour's grace.
    public var length: Duration
    /// The longest any session lasts from its sign-in, however often extended.
    public var lifetime: Duration
    /// How long a session may go unused before it ends.
    public var idle: Duration

    /// The defaults: 13 hours, 20 hours, 2 hours.
    public init(length: Duration = .seconds(13 * 3600), lifetime: Duration = .seconds(20 * 3600), idle: Duration = .seconds(2 * 3600)) {
        self.length = min(length, lifetime)
        self.lifetime = lifetime
        self.idle = idle
    }

    var lengthSeconds: Int { Int(length.components.seconds) }
    var lifetimeSeconds: Int { Int(lifetime.components.seconds) }
    var idleSeconds: Int { Int(idle.components.seconds) }
}

/// Sign-in, sign-out and the bearer tokens that identify staff on every call.
///
/// A token is 32 random bytes; only its SHA-256 is stored, so a copy of the database holds no
/// usable token. After `freeAttempts` wrong passwords or codes in a row for a username, each
/// further attempt must wait twice as long as the last (1 s, 2 s, ... 15 min). An account that
/// needs a second factor (`Role/alwaysNeedsSecondFactor`, its premises' setting, or a factor
/// it enrolled) is given a token only with a right code (`SessionStore+SecondFactor.swift`).
public struct SessionStore: Sendable {
    let pool: PostgresPool
    let hasher: PasswordHasher
    /// How long sessions last.
    public var times: SessionTimes
    /// Wrong passwords or codes in a row allowed before attempts are slowed.
    public var freeAttempts: Int
    /// The clock second-factor codes are read against (tests fix it).
    public var clock: @Sendable () -> Date

    /// A store over the pool, hashing passwords with `hasher`.
    public init(
        pool: PostgresPool, hasher: PasswordHasher, times: SessionTimes = SessionTimes(), freeAttempts: Int = 5,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.pool = pool
        self.hasher = hasher
        self.times = times
        self.freeAttempts = freeAttempts
        self.clock = clock
    }

    /// Checks a username, password and (where the account needs one) second-factor code, and
    /// opens a session. Without a code where one is needed it answers `unauthenticated` with a
    /// problem on `code`: rule `required`, or `enrol` when the account has no factor yet.
    public func signIn(
        username rawUsername: String, password: String, code: String? = nil, client: SessionClient = .api,
        requestID: String? = nil
    ) async throws -> SignedIn {
        let (username, staff) = try await checkPassword(username: rawUsername, password: password)
        let factor = try await secondFactor(of: staff)
        if factor != .notNeeded {
            guard let code, !code.isBlank else {
                throw DomainError(
                    .unauthenticated,
                    factor == .enrolled
                        ? "enter the 6-digit code from your authenticator app (or a recovery code)"
                        : "this account signs in with a second factor and has none yet: enrol one first",
                    problems: [
                        FieldProblem(
                            field: "code", rule: factor == .enrolled ? "required" : "enrol",
                            message: factor == .enrolled
                                ? "enter the code from your authenticator app"
                                : "set up an authenticator app (POST /auth/second-factor), then sign in with its first code")
                    ])
            }
        }
        return try await open(staff, username: username, code: factor == .notNeeded ? nil : code, client: client, requestID: requestID)
    }

    /// Opens a session for `staff`, first accepting `code` when one is given (in the same
    /// transaction, so a code is used only by a sign-in that happened).
    func open(_ staff: Staff, username: String, code: String?, client: SessionClient, requestID: String?) async throws -> SignedIn {
        let token = Self.newToken()
        let result: Result<(Date, [String]?), CodeRefused> = try await pool.transaction { connection in
            var recoveryCodes: [String]? = nil
            if let code {
                switch try await accept(code, for: staff, on: connection) {
                case .failure(let refused): return .failure(refused)
                case .success(let codes): recoveryCodes = codes
                }
            }
            try await connection.execute("DELETE FROM sign_in_throttle WHERE username = \(username)")
            // Both ends of the session from one clock, the database's: a service whose clock is
            // behind the database's still makes a session that ends after it starts.
            let row = try await connection.one(
                """
                INSERT INTO staff_session (staff_id, token_hash, created_at, expires_at, client, last_used_at)
                VALUES (\(staff.id), \(Self.hash(token)), now(), now() + make_interval(secs => \(times.lengthSeconds)), \(client.rawValue), now())
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
                after: [
                    "staffId": staff.id.uuidString, "expiresAt": expiresAt.formatted(.iso8601), "client": client.rawValue,
                    "secondFactor": code == nil ? "none" : "code",
                ])
            return .success((expiresAt, recoveryCodes))
        }
        switch result {
        case .failure(let refused):
            try await recordFailure(username)
            throw DomainError(
                .unauthenticated, refused.message, problems: [FieldProblem(field: "code", rule: "wrong", message: refused.message)])
        case .success(let (expiresAt, recoveryCodes)):
            return SignedIn(token: token, expiresAt: expiresAt, staff: staff, recoveryCodes: recoveryCodes)
        }
    }

    /// The account a username and password open, throttled; `unauthenticated` otherwise.
    func checkPassword(username rawUsername: String, password: String) async throws -> (String, Staff) {
        let username = rawUsername.trimmingCharacters(in: .whitespaces).lowercased()
        var validation = Validation()
        validation.require(!username.isEmpty, field: "username", rule: "required", "username is required")
        validation.require(!password.isEmpty, field: "password", rule: "required", "password is required")
        try validation.check()
        try await refuseWhileLocked(username)
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
        return (username, staff)
    }

    /// Who a bearer token belongs to; `unauthenticated` when it is unknown, ended, expired or
    /// left idle too long. A request marks the session used (at most once a minute).
    public func authenticate(token: String) async throws -> Principal {
        guard token.hasPrefix("ap_"), token.count < 100 else {
            throw DomainError(.unauthenticated, "the bearer token is not one this service gave out; sign in again")
        }
        let row = try await pool.query(
            """
            SELECT ss.id AS session_id, ss.expires_at, ss.last_used_at < now() - make_interval(secs => \(min(60, times.idleSeconds / 4))) AS stale,
                least(ss.expires_at, now() + make_interval(secs => \(times.idleSeconds))) AS ends_at, \(StaffStore.columns)
            FROM staff_session ss JOIN staff s ON s.id = ss.staff_id
            WHERE ss.token_hash = \(Self.hash(token)) AND ss.revoked_at IS NULL AND ss.expires_at > now() AND s.active
              AND ss.last_used_at > now() - make_interval(secs => \(times.idleSeconds))
            """, reusingPlan: true
        ).first
        guard let row else {
            throw DomainError(.unauthenticated, "the session has expired or was ended; sign in again")
        }
        let staff = try StaffStore.staff(from: row)
        let session: UUID = try row.decode("session_id")
        if try row.decode("stale", as: Bool.self) {
            try await pool.execute("UPDATE staff_session SET last_used_at = now() WHERE id = \(session)")
        }
        return Principal(
            staffID: staff.id, username: staff.username, displayName: staff.displayName, role: staff.role,
            premisesID: staff.premisesID, regionCode: staff.regionCode,
            sessionID: session, expiresAt: try row.decode("ends_at"))
    }

    /// The member of staff a token was given to, whether or not its session is still live (a
    /// form sent after the sign-in ended is kept for them alone).
    public func owner(ofToken token: String) async throws -> UUID? {
        guard token.hasPrefix("ap_"), token.count < 100 else { return nil }
        return try await pool.query("SELECT staff_id FROM staff_session WHERE token_hash = \(Self.hash(token))").first?.decode("staff_id")
    }

    /// Extends the caller's session by an hour from now, to at most `times.lifetime` after it
    /// began (the page's time-out warning offers it); audited. Answers the new end.
    public func extend(_ principal: Principal) async throws -> Date {
        try await pool.transaction { connection in
            guard
                let row = try await connection.first(
                    """
                    UPDATE staff_session SET last_used_at = now(),
                        expires_at = greatest(expires_at, least(now() + interval '1 hour', created_at + make_interval(secs => \(times.lifetimeSeconds))))
                    WHERE id = \(principal.sessionID) AND revoked_at IS NULL AND expires_at > now()
                    RETURNING least(expires_at, now() + make_interval(secs => \(times.idleSeconds))) AS expires_at
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

    /// Ends the caller's session.
    public func signOut(_ principal: Principal) async throws {
        try await pool.transaction { connection in
            try await connection.execute(
                "UPDATE staff_session SET revoked_at = now(), ended_reason = 'signed out' WHERE id = \(principal.sessionID) AND revoked_at IS NULL"
            )
            try await AuditLog.record(
                on: connection, by: principal, action: "session.sign_out", entity: "staff_session",
                entityID: principal.sessionID.uuidString, before: String?.none, after: String?.none)
        }
    }

    static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    /// 32 random bytes, URL-safe base64, after `prefix`.
    static func newToken(prefix: String = "ap_") -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        return prefix
            + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Throws `rateLimited` while a username waits after too many wrong passwords or codes.
    func refuseWhileLocked(_ username: String) async throws {
        let row = try await pool.query(
            """
            SELECT ceil(extract(epoch FROM locked_until - now()))::integer AS wait
            FROM sign_in_throttle WHERE username = \(username) AND locked_until > now()
            """
        ).first
        if let wait: Int = try row?.decode("wait"), wait > 0 {
            throw DomainError(
                .rateLimited(retryAfterSeconds: wait),
                "too many wrong passwords or codes for \(username); try again in \(wait) seconds")
        }
    }

    func recordFailure(_ username: String) async throws {
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
