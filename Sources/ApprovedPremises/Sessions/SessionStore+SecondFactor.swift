import Crypto
import Foundation
import Postgres

/// Why a second-factor code was not accepted (the sign-in counts it as a wrong attempt).
struct CodeRefused: Error, Sendable {
    let message: String
}

/// What a sign-in still needs after the right password.
public enum SecondFactorState: Sendable, Equatable {
    /// Nothing: the account signs in with its password alone.
    case notNeeded
    /// A code from the factor it has.
    case enrolled
    /// A factor: the account needs one and has none confirmed yet.
    case mustEnrol
}

/// A second factor being set up: the secret to type into an authenticator app, or the URI to paste.
public struct Enrolment: Sendable, Equatable {
    /// The secret in base32, as apps take it.
    public var secret: String
    /// The `otpauth://totp/...` URI.
    public var uri: String
}

/// A browser's sign-in between the right password and the right code.
public enum SignInStep: Sendable {
    /// The session is open.
    case signedIn(SignedIn)
    /// The code is needed; `pending` is good for ten minutes, for the code page only.
    case needsCode(pending: String)
    /// A factor must be set up first (`enrolment(pending:)`), confirmed by its first code.
    case needsEnrolment(pending: String)
}

extension SessionStore {
    /// The service's name in authenticator apps.
    public static let issuer = "Approved Premises"

    /// Whether an account needs a code to sign in, and whether it has a factor to make one.
    public func secondFactor(of staff: Staff) async throws -> SecondFactorState {
        let row = try await pool.query(
            """
            SELECT f.confirmed_at IS NOT NULL AS confirmed, coalesce(p.second_factor_for_all_staff, false) AS premises_requires
            FROM staff s LEFT JOIN second_factor f ON f.staff_id = s.id LEFT JOIN premises p ON p.id = s.premises_id
            WHERE s.id = \(staff.id)
            """
        ).first
        let confirmed = try row?.decode("confirmed", as: Bool.self) ?? false
        let premisesRequires = try row?.decode("premises_requires", as: Bool.self) ?? false
        if confirmed { return .enrolled }
        return staff.role.alwaysNeedsSecondFactor || premisesRequires ? .mustEnrol : .notNeeded
    }

    /// Accepts a code for `staff` on `connection`: a TOTP code of the current step or one
    /// either side, later than the last accepted, or an unused recovery code. A first right
    /// code confirms a new factor and answers its ten recovery codes.
    func accept(_ rawCode: String, for staff: Staff, on connection: PostgresConnection) async throws -> Result<[String]?, CodeRefused> {
        let code = rawCode.lowercased().filter { $0.isLetter || $0.isNumber }
        guard
            let factor = try await connection.first(
                "SELECT secret, confirmed_at IS NOT NULL AS confirmed, last_step FROM second_factor WHERE staff_id = \(staff.id) FOR UPDATE"
            )
        else { return .failure(CodeRefused(message: "this account has no second factor yet: set one up first")) }
        let confirmed: Bool = try factor.decode("confirmed")
        if code.count == TOTP.digits, code.allSatisfy(\.isNumber) {
            let now = TOTP.step(at: clock())
            guard let step = TOTP.matchingStep(code, secret: try factor.decode("secret"), around: now) else {
                return .failure(CodeRefused(message: "the code is wrong: enter the code your authenticator app shows now"))
            }
            if let last: Int64 = try factor.decode("last_step"), step <= last {
                return .failure(CodeRefused(message: "that code has been used already: wait for the next one"))
            }
            try await connection.execute(
                "UPDATE second_factor SET last_step = \(step), confirmed_at = coalesce(confirmed_at, now()) WHERE staff_id = \(staff.id)")
            guard !confirmed else { return .success(nil) }
            let codes = (0..<10).map { _ in Self.newRecoveryCode() }
            for recovery in codes {
                try await connection.execute(
                    "INSERT INTO recovery_code (staff_id, code_hash) VALUES (\(staff.id), \(Self.recoveryHash(recovery)))")
            }
            try await AuditLog.record(
                on: connection, by: nil, action: "second_factor.confirm", entity: "staff", entityID: staff.id.uuidString,
                before: String?.none, after: ["recoveryCodes": codes.count])
            return .success(codes)
        }
        guard confirmed else {
            return .failure(CodeRefused(message: "the code is wrong: enter the 6-digit code your authenticator app shows now"))
        }
        let used = try await connection.execute(
            """
            UPDATE recovery_code SET used_at = now()
            WHERE staff_id = \(staff.id) AND code_hash = \(Self.recoveryHash(code)) AND used_at IS NULL
            """)
        guard used == 1 else {
            return .failure(CodeRefused(message: "the code is wrong, or is a recovery code used already"))
        }
        try await AuditLog.record(
            on: connection, by: nil, action: "second_factor.recovery_code_used", entity: "staff", entityID: staff.id.uuidString,
            before: String?.none, after: String?.none)
        return .success(nil)
    }

    /// The factor being set up for an account that has none confirmed: made now, or the one
    /// made at an earlier attempt (so a page shown again shows the same secret).
    func enrolment(for staff: Staff) async throws -> Enrolment {
        var secret = Data(count: 20)
        var generator = SystemRandomNumberGenerator()
        for index in secret.indices { secret[index] = generator.next() }
        let row = try await pool.transaction { connection in
            try await connection.execute(
                "INSERT INTO second_factor (staff_id, secret) VALUES (\(staff.id), \(secret)) ON CONFLICT (staff_id) DO NOTHING")
            return try await connection.one(
                "SELECT secret, confirmed_at IS NOT NULL AS confirmed FROM second_factor WHERE staff_id = \(staff.id)")
        }
        guard !(try row.decode("confirmed", as: Bool.self)) else {
            throw DomainError(
                .conflict, "\(staff.username) has a second factor already; an administrator can reset it if the device is lost")
        }
        let stored: Data = try row.decode("secret")
        return Enrolment(secret: Base32.encode(stored), uri: TOTP.uri(secret: stored, account: staff.username, issuer: Self.issuer))
    }

    /// Sets up a factor through the API: the username and password, then the secret to enrol;
    /// the next sign-in with its first code confirms it.
    public func enrol(username: String, password: String) async throws -> Enrolment {
        let (_, staff) = try await checkPassword(username: username, password: password)
        return try await enrolment(for: staff)
    }

    /// The browser's first step: the password, then the session, or the code or enrolment page.
    public func beginSignIn(username rawUsername: String, password: String) async throws -> SignInStep {
        let (username, staff) = try await checkPassword(username: rawUsername, password: password)
        let factor = try await secondFactor(of: staff)
        guard factor != .notNeeded else {
            return .signedIn(try await open(staff, username: username, code: nil, client: .browser, requestID: nil))
        }
        let pending = Self.newToken(prefix: "ap_pending_")
        try await pool.execute(
            """
            INSERT INTO sign_in_pending (token_hash, staff_id, expires_at)
            VALUES (\(Self.hash(pending)), \(staff.id), now() + interval '10 minutes')
            """)
        return factor == .enrolled ? .needsCode(pending: pending) : .needsEnrolment(pending: pending)
    }

    /// The account a pending sign-in is for; `unauthenticated` once its ten minutes are over.
    public func pendingStaff(_ pending: String) async throws -> Staff {
        guard pending.hasPrefix("ap_pending_"), pending.count < 120,
            let row = try await pool.query(
                """
                SELECT \(StaffStore.columns) FROM sign_in_pending p JOIN staff s ON s.id = p.staff_id
                WHERE p.token_hash = \(Self.hash(pending)) AND p.expires_at > now() AND s.active
                """
            ).first
        else { throw DomainError(.unauthenticated, "the sign-in took too long or was finished: sign in again") }
        return try StaffStore.staff(from: row)
    }

    /// The factor to set up for a pending sign-in's account.
    public func enrolment(pending: String) async throws -> Enrolment {
        try await enrolment(for: try await pendingStaff(pending))
    }

    /// The browser's second step: the code (or a first code confirming enrolment) opens the session.
    public func completeSignIn(pending: String, code: String) async throws -> SignedIn {
        let staff = try await pendingStaff(pending)
        try await refuseWhileLocked(staff.username)
        guard !code.isBlank else {
            throw DomainError.invalid(field: "code", rule: "required", "enter the code from your authenticator app")
        }
        let signedIn = try await open(staff, username: staff.username, code: code, client: .browser, requestID: nil)
        try await pool.execute("DELETE FROM sign_in_pending WHERE token_hash = \(Self.hash(pending)) OR expires_at < now()")
        return signedIn
    }

    /// A recovery code: ten letters and digits that cannot be mistaken for one another, in two fives.
    static func newRecoveryCode() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let letters = (0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] }
        return String(letters[0..<5]) + "-" + String(letters[5..<10])
    }

    /// The stored form of a recovery code: SHA-256 of its letters and digits, lower case.
    static func recoveryHash(_ code: String) -> Data {
        Data(SHA256.hash(data: Data(code.lowercased().filter { $0.isLetter || $0.isNumber }.utf8)))
    }
}

extension SessionStore {
    /// Sets up and confirms a factor with a given secret and recovery codes, as an operator with
    /// database access: the demo's accounts (whose secret the demo prints) and tests. Audited
    /// with no member of staff.
    public func enrolAsOperator(username: String, secret: Data, recoveryCodes: [String] = []) async throws {
        try await pool.transaction { connection in
            guard let row = try await connection.first("SELECT id FROM staff WHERE username = \(username)") else {
                throw DomainError(.notFound, "there is no member of staff called \(DomainError.quoting(username))")
            }
            let staffID: UUID = try row.decode("id")
            try await connection.execute(
                """
                INSERT INTO second_factor (staff_id, secret, confirmed_at) VALUES (\(staffID), \(secret), now())
                ON CONFLICT (staff_id) DO UPDATE SET secret = excluded.secret, confirmed_at = now(), last_step = NULL
                """)
            try await connection.execute("DELETE FROM recovery_code WHERE staff_id = \(staffID)")
            for code in recoveryCodes {
                try await connection.execute(
                    "INSERT INTO recovery_code (staff_id, code_hash) VALUES (\(staffID), \(Self.recoveryHash(code))) ON CONFLICT DO NOTHING"
                )
            }
            try await AuditLog.record(
                on: connection, by: nil, action: "second_factor.confirm", entity: "staff", entityID: staffID.uuidString,
                before: String?.none, after: ["recoveryCodes": recoveryCodes.count, "byOperator": 1])
        }
    }
}
