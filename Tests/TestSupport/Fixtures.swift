import ApprovedPremises
import Crypto
import Foundation
import Postgres

/// Premises and accounts for tests, made through the domain as an operator would.
public struct Fixtures: Sendable {
    /// The password of every fixture account.
    public static let password = "correct-horse-battery"

    public let pool: PostgresPool
    public let hasher = PasswordHasher(cost: 4)

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// A premises with that code, in that region.
    public func premises(_ code: String, region: String = "NW") async throws -> UUID {
        try await pool.query(
            """
            INSERT INTO premises (code, name, region_code, ap_type_code, gender)
            VALUES (\(code), \("Premises " + code), \(region), 'NORMAL', 'men') RETURNING id
            """
        ).first!.decode("id")
    }

    /// An account with that username and role; one whose role signs in with a second factor
    /// has one, with the secret `secret(of:)` and the recovery codes `recoveryCodes(of:)`.
    @discardableResult
    public func staff(_ username: String, _ role: Role, premises: UUID? = nil, region: String? = nil) async throws -> Staff {
        // A probation practitioner is told by e-mail, so has an address.
        let staff = try await StaffStore(pool: pool, hasher: hasher).createAsOperator(
            NewStaff(
                username: username, displayName: username.capitalized,
                email: role == .probationPractitioner ? "\(username)@probation.example" : nil, role: role,
                premisesID: premises, regionCode: region, password: Self.password))
        if role.alwaysNeedsSecondFactor { try await enrol(username) }
        return staff
    }

    /// Gives an account a confirmed second factor with the fixtures' secret and recovery codes.
    public func enrol(_ username: String) async throws {
        try await SessionStore(pool: pool, hasher: hasher).enrolAsOperator(
            username: username, secret: Self.secret(of: username), recoveryCodes: Self.recoveryCodes(of: username))
    }

    /// The second-factor secret of a fixture account: 20 bytes from its username.
    public static func secret(of username: String) -> Data {
        Data(SHA256.hash(data: Data("fixture-secret \(username)".utf8)).prefix(20))
    }

    /// The ten recovery codes of a fixture account.
    public static func recoveryCodes(of username: String) -> [String] {
        (0..<10).map { index in
            let hex = SHA256.hash(data: Data("fixture-recovery \(username) \(index)".utf8)).map { String(format: "%02x", $0) }.joined()
            return String(hex.prefix(5)) + "-" + String(hex.dropFirst(5).prefix(5))
        }
    }

    /// A code that signs `username` in now, or nil when the account has no second factor: the
    /// authenticator app's code of the earliest step the service still takes (the current step
    /// or one either side, after the last used: each code works once), else an unused
    /// recovery code, as a person with many sign-ins in half a minute would have to.
    public func code(for username: String, at date: Date = Date()) async throws -> String? {
        guard
            let row = try await pool.query(
                """
                SELECT f.staff_id, f.secret, f.last_step FROM second_factor f JOIN staff s ON s.id = f.staff_id
                WHERE s.username = \(username) AND f.confirmed_at IS NOT NULL
                """
            ).first
        else { return nil }
        let now = TOTP.step(at: date)
        let last: Int64? = try row.decode("last_step")
        // The step before now's is taken only while its code has twenty seconds of life left (it
        // is refused from the next step on), so a code is never sent just as it expires.
        let left = Double(TOTP.stepSeconds) - date.timeIntervalSince1970.truncatingRemainder(dividingBy: Double(TOTP.stepSeconds))
        let step = max(left > 20 ? now - 1 : now, (last ?? .min) + 1)
        if step <= now + 1 { return TOTP.code(secret: try row.decode("secret"), step: step) }
        let staffID: UUID = try row.decode("staff_id")
        for code in Self.recoveryCodes(of: username) {
            let hash = Data(SHA256.hash(data: Data(code.filter { $0 != "-" }.utf8)))
            let unused = try await pool.query(
                "SELECT 1 AS one FROM recovery_code WHERE staff_id = \(staffID) AND code_hash = \(hash) AND used_at IS NULL"
            ).first
            if unused != nil { return code }
        }
        throw DomainError(
            .rateLimited(retryAfterSeconds: 30), "\(username) has used every code of this half-minute and every recovery code")
    }

    /// A signed-in principal for an account.
    public func signIn(_ username: String) async throws -> (token: String, principal: Principal) {
        let sessions = SessionStore(pool: pool, hasher: hasher)
        let signedIn = try await sessions.signIn(username: username, password: Self.password, code: try await code(for: username))
        return (signedIn.token, try await sessions.authenticate(token: signedIn.token))
    }

    /// What `ap login USERNAME` reads on stdin: the password, then the code when the account has a factor.
    public func loginInput(_ username: String, password: String = Fixtures.password) async throws -> String {
        password + "\n" + ((try await code(for: username)).map { $0 + "\n" } ?? "")
    }
}
