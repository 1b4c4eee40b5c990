import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// The second factor (RFC 6238), sessions one can see and end, and the NCSC's password rules,
/// in the domain over a real database, on a clock the test holds still.
@Suite("Second factor, sessions and passwords", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct SecondFactorTests {
    /// A moment in the middle of a step, so that no code changes while a test runs.
    static let now = Date(timeIntervalSince1970: 1_800_000_015)

    static func store(_ pool: PostgresPool, _ fixtures: Fixtures, times: SessionTimes = SessionTimes()) -> SessionStore {
        SessionStore(pool: pool, hasher: fixtures.hasher, times: times, clock: { now })
    }

    static func code(_ username: String, _ offset: Int64) -> String {
        TOTP.code(secret: Fixtures.secret(of: username), step: TOTP.step(at: now) + offset)
    }

    @Test("TOTP codes are RFC 6238's test vectors (SHA-1, last six digits), and base32 is RFC 4648's")
    func vectors() {
        let secret = Data("12345678901234567890".utf8)
        for (seconds, code) in [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")] {
            #expect(TOTP.code(secret: secret, step: TOTP.step(at: Date(timeIntervalSince1970: Double(seconds)))) == code)
        }
        #expect(Base32.encode(secret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(Base32.decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == secret)
        #expect(
            TOTP.uri(secret: secret, account: "a.b", issuer: "Approved Premises").hasPrefix(
                "otpauth://totp/Approved%20Premises%3Aa.b?secret=GEZDGNBV"))
    }

    @Test("the code of now and of one step either side sign in; two steps off, and a code used already, are refused")
    func window() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            for name in ["early", "late", "replay"] { try await fixtures.staff(name, .administrator) }
            let sessions = Self.store(pool, fixtures)
            func signIn(_ username: String, _ code: String?) async throws -> SignedIn {
                try await sessions.signIn(username: username, password: Fixtures.password, code: code)
            }
            await #expect(throws: DomainError.self) { try await signIn("early", Self.code("early", -2)) }
            await #expect(throws: DomainError.self) { try await signIn("late", Self.code("late", 2)) }
            do {
                _ = try await signIn("early", nil)
                Issue.record("a sign-in without the code was let in")
            } catch let error as DomainError {
                #expect(error.kind == .unauthenticated && error.problems.first?.field == "code" && error.problems.first?.rule == "required")
            }
            _ = try await signIn("replay", Self.code("replay", -1))
            _ = try await signIn("replay", Self.code("replay", 0))
            do {
                _ = try await signIn("replay", Self.code("replay", 0))
                Issue.record("a code was used twice")
            } catch let error as DomainError {
                #expect(error.message.contains("used already"), "\(error.message)")
            }
            await #expect(throws: DomainError.self) { try await signIn("replay", Self.code("replay", -1)) }
            _ = try await signIn("replay", Self.code("replay", 1))
            _ = try await signIn("late", Self.code("late", 1))
            _ = try await signIn("early", Self.code("early", -1))
        }
    }

    @Test("recovery codes sign in once each and are stored hashed; five wrong codes make the next try wait")
    func recoveryAndLockOut() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("lost.phone", .apManager, premises: try await fixtures.premises("ELM"))
            let sessions = Self.store(pool, fixtures)
            let recovery = Fixtures.recoveryCodes(of: "lost.phone")[3]
            _ = try await sessions.signIn(username: "lost.phone", password: Fixtures.password, code: recovery.uppercased())
            await #expect(throws: DomainError.self) {
                try await sessions.signIn(username: "lost.phone", password: Fixtures.password, code: recovery)
            }
            let plain: Int = try await pool.query(
                "SELECT count(*)::integer AS n FROM recovery_code WHERE code_hash = convert_to(\(recovery), 'UTF8')")[0].decode("n")
            #expect(plain == 0)
            // One refused already; four more wrong codes, and even the right one waits.
            for _ in 0..<4 {
                _ = try? await sessions.signIn(username: "lost.phone", password: Fixtures.password, code: "000000")
            }
            do {
                _ = try await sessions.signIn(username: "lost.phone", password: Fixtures.password, code: Self.code("lost.phone", 0))
                Issue.record("no lock-out after five wrong codes")
            } catch let error as DomainError {
                guard case .rateLimited(let seconds) = error.kind else {
                    Issue.record("expected rateLimited, got \(error.kind)")
                    return
                }
                #expect(seconds >= 1)
            }
        }
    }

    @Test("an account that needs a factor and has none enrols: the first code confirms it and answers ten recovery codes, once")
    func enrolment() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            let elm = try await fixtures.premises("ELM")
            _ = try await StaffStore(pool: pool, hasher: fixtures.hasher).createAsOperator(
                NewStaff(username: "new.manager", displayName: "New", role: .apManager, premisesID: elm, password: Fixtures.password))
            let sessions = Self.store(pool, fixtures)
            do {
                _ = try await sessions.signIn(username: "new.manager", password: Fixtures.password)
                Issue.record("an account with no factor was let in")
            } catch let error as DomainError {
                #expect(error.problems.first?.rule == "enrol")
            }
            let enrolment = try await sessions.enrol(username: "new.manager", password: Fixtures.password)
            #expect(try await sessions.enrol(username: "new.manager", password: Fixtures.password) == enrolment, "the same secret again")
            let secret = try #require(Base32.decode(enrolment.secret))
            let signedIn = try await sessions.signIn(
                username: "new.manager", password: Fixtures.password, code: TOTP.code(secret: secret, step: TOTP.step(at: Self.now)))
            let codes = try #require(signedIn.recoveryCodes)
            #expect(codes.count == 10 && Set(codes).count == 10)
            await #expect(throws: DomainError.self) { try await sessions.enrol(username: "new.manager", password: Fixtures.password) }
            let again = try await sessions.signIn(
                username: "new.manager", password: Fixtures.password, code: TOTP.code(secret: secret, step: TOTP.step(at: Self.now) + 1))
            #expect(again.recoveryCodes == nil)
            // A night worker signs in with a password alone, until the premises asks for a factor.
            try await fixtures.staff("nights", .residentialWorker, premises: elm)
            _ = try await sessions.signIn(username: "nights", password: Fixtures.password)
            let manager = try await sessions.authenticate(token: signedIn.token)
            #expect(try await sessions.setSecondFactorForAllStaff(true, premisesID: elm, by: manager))
            await #expect(throws: DomainError.self) { try await sessions.signIn(username: "nights", password: Fixtures.password) }
        }
    }

    @Test("one's sessions listed and ended; an administrator ends another's or resets their factor; deactivation ends them all")
    func sessionsAndReset() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("root", .administrator)
            let person = try await fixtures.staff("person", .referralManager)
            let sessions = SessionStore(pool: pool, hasher: fixtures.hasher)
            let (_, admin) = try await fixtures.signIn("root")
            let (first, me) = try await fixtures.signIn("person")
            let (second, _) = try await fixtures.signIn("person")
            let (third, _) = try await fixtures.signIn("person")
            let listed = try await sessions.sessions(of: person.id, by: me)
            #expect(listed.count == 3 && listed.filter(\.current).count == 1 && listed.allSatisfy { $0.client == .api })
            await #expect(throws: DomainError.self) { try await sessions.sessions(of: admin.staffID, by: me) }
            let secondID = try await sessions.authenticate(token: second).sessionID
            try await sessions.end(session: secondID, by: me)
            await #expect(throws: DomainError.self) { try await sessions.authenticate(token: second) }
            #expect(try await sessions.endSessions(of: person.id, by: me) == 1)
            await #expect(throws: DomainError.self) { try await sessions.authenticate(token: third) }
            _ = try await sessions.authenticate(token: first)

            try await sessions.resetSecondFactor(of: person.id, by: admin)
            await #expect(throws: DomainError.self) { try await sessions.authenticate(token: first) }
            let told: String? = try await pool.query(
                "SELECT event FROM notification WHERE recipient_kind = 'staff' AND details->>'username' = 'person'"
            ).first?.decode("event")
            #expect(told == nil, "a referral manager fixture has no e-mail address, so nobody is written to")
            #expect(try await sessions.secondFactor(of: person) == .mustEnrol)
            let audited: Int = try await pool.query(
                "SELECT count(*)::integer AS n FROM audit_event WHERE action = 'second_factor.reset' AND entity_id = \(person.id.uuidString)"
            )[0]
            .decode("n")
            #expect(audited == 1)

            let (live, _) = try await fixtures.signIn("root")
            let staff = StaffStore(pool: pool, hasher: fixtures.hasher)
            let root = try await staff.get(admin.staffID, by: admin)
            try await fixtures.staff("other.root", .administrator)
            let (_, otherAdmin) = try await fixtures.signIn("other.root")
            _ = try await staff.update(root.id, expectedVersion: root.version, changes: StaffChanges(active: false), by: otherAdmin)
            await #expect(throws: DomainError.self) { try await sessions.authenticate(token: live) }
            #expect(try await sessions.sessions(of: root.id, by: otherAdmin).isEmpty)
        }
    }

    @Test("a session left unused past the idle time-out ends; none outlives its lifetime, however extended")
    func timeouts() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("idle", .residentialWorker, premises: try await fixtures.premises("ELM"))
            let sessions = SessionStore(
                pool: pool, hasher: fixtures.hasher,
                times: SessionTimes(length: .seconds(3600), lifetime: .seconds(7200), idle: .seconds(600)))
            let token = try await sessions.signIn(username: "idle", password: Fixtures.password).token
            let principal = try await sessions.authenticate(token: token)
            #expect(principal.expiresAt.timeIntervalSinceNow <= 601, "the session's end is the idle time-out's when that is sooner")
            try await pool.execute("UPDATE staff_session SET last_used_at = now() - interval '9 minutes'")
            _ = try await sessions.authenticate(token: token)
            let touched: Bool = try await pool.query("SELECT last_used_at > now() - interval '1 minute' AS fresh FROM staff_session")[0]
                .decode("fresh")
            #expect(touched, "a request marks the session used")
            try await pool.execute("UPDATE staff_session SET last_used_at = now() - interval '11 minutes'")
            await #expect(throws: DomainError.self) { try await sessions.authenticate(token: token) }

            let second = try await sessions.signIn(username: "idle", password: Fixtures.password).token
            try await pool.execute(
                "UPDATE staff_session SET created_at = now() - interval '119 minutes', expires_at = now() + interval '1 minute' WHERE revoked_at IS NULL AND last_used_at > now() - interval '1 minute'"
            )
            let extended = try await sessions.extend(try await sessions.authenticate(token: second))
            let ends: Date = try await pool.query("SELECT expires_at FROM staff_session ORDER BY created_at LIMIT 1")[0].decode(
                "expires_at")
            #expect(ends.timeIntervalSinceNow < 70 && extended.timeIntervalSinceNow < 70, "never past two hours from sign-in")
        }
    }

    @Test(
        "a password of 11 characters, a common one, or one with the username or the service's name is refused naming the rule; a change ends the other sessions"
    )
    func passwords() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("root", .administrator)
            let (adminToken, admin) = try await fixtures.signIn("root")
            let staff = StaffStore(pool: pool, hasher: fixtures.hasher)
            #expect(PasswordRules.isCommon("QWERTY123456"))
            for (password, rule) in [
                ("eleven-char", "length"), ("qwerty123456", "common"), ("my-name-is-rachel.jones", "username"),
                ("approved-premises-2026", "service"),
            ] {
                do {
                    _ = try await staff.create(
                        NewStaff(username: "rachel.jones", displayName: "Rachel", role: .referralManager, password: password), by: admin)
                    Issue.record("\(password) was accepted")
                } catch let error as DomainError {
                    #expect(error.problems.map(\.rule) == [rule] && error.problems.first?.field == "password", "\(password): \(error)")
                }
            }
            _ = try await staff.create(
                NewStaff(username: "rachel.jones", displayName: "Rachel", role: .referralManager, password: "three words together"),
                by: admin)

            let sessions = SessionStore(pool: pool, hasher: fixtures.hasher)
            let (other, _) = try await fixtures.signIn("root")
            await #expect(throws: DomainError.self) {
                try await sessions.changePassword(by: admin, current: "not-my-password", new: "a new long passphrase")
            }
            try await sessions.changePassword(by: admin, current: Fixtures.password, new: "a new long passphrase")
            await #expect(throws: DomainError.self) { try await sessions.authenticate(token: other) }
            #expect(try await sessions.authenticate(token: adminToken).staffID == admin.staffID, "the session that changed it goes on")
        }
    }
}
