import ApprovedPremises
import Crypto
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Sign-in and sessions", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct SessionTests {
    @Test("the right password gives a token that identifies the member of staff")
    func signIn() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            let premises = try await fixtures.premises("ELM")
            try await fixtures.staff("night", .residentialWorker, premises: premises)
            let (token, principal) = try await fixtures.signIn("night")
            #expect(token.hasPrefix("ap_"))
            #expect(principal.role == .residentialWorker)
            #expect(principal.premisesID == premises)
        }
    }

    @Test("a session's start and end come from one clock, the database's, so it never ends before it starts")
    func oneClock() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("night", .residentialWorker, premises: try await fixtures.premises("ELM"))
            _ = try await fixtures.signIn("night")
            let row = try await pool.query(
                """
                SELECT extract(epoch FROM expires_at - created_at)::float8 AS length, abs(extract(epoch FROM created_at - now()))::float8 AS age
                FROM staff_session
                """
            ).first!
            #expect(try row.decode("length", as: Double.self) == 13 * 3600, "the session's length is measured on two clocks")
            #expect(try row.decode("age", as: Double.self) < 60)
        }
    }

    @Test("passwords are stored as bcrypt hashes and tokens only as SHA-256 hashes")
    func storedHashed() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("root", .administrator)
            let (token, _) = try await fixtures.signIn("root")
            let hash: String = try await pool.query("SELECT password_hash FROM staff").first!.decode("password_hash")
            #expect(hash.hasPrefix("$2"))
            #expect(!hash.contains(Fixtures.password))
            let stored: Data = try await pool.query("SELECT token_hash FROM staff_session").first!.decode("token_hash")
            #expect(stored == Data(SHA256.hash(data: Data(token.utf8))))
            let dump = try await pool.query("SELECT string_agg(s::text, ',') AS all FROM staff_session s").first!
            #expect(try dump.decode("all", as: String.self).contains(token) == false)
        }
    }

    @Test("a wrong password, an unknown user and an inactive account are all refused alike")
    func refused() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("root", .administrator)
            let sessions = SessionStore(pool: pool, hasher: fixtures.hasher)
            for (username, password) in [("root", "wrong-password"), ("nobody", Fixtures.password)] {
                await #expect(throws: DomainError(.unauthenticated, "the username or password is wrong, or the account is inactive")) {
                    try await sessions.signIn(username: username, password: password)
                }
            }
            try await pool.execute("UPDATE staff SET active = false")
            await #expect(throws: DomainError.self) { try await sessions.signIn(username: "root", password: Fixtures.password) }
        }
    }

    @Test("after five wrong passwords in a row, even the right one must wait")
    func throttled() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("root", .administrator)
            let sessions = SessionStore(pool: pool, hasher: fixtures.hasher)
            for _ in 0..<5 {
                _ = try? await sessions.signIn(username: "root", password: "wrong-password")
            }
            // The fifth wrong password locks the account for a second (doubling with each
            // further one). A loaded machine may take longer than that to make the next call,
            // so the rule is read from the row, and the lock then lengthened so that the refusal
            // of the right password does not depend on the machine's speed.
            let lock = try #require(
                try await pool.query(
                    """
                    SELECT consecutive_failures AS failures, extract(epoch FROM locked_until - last_failure_at)::float8 AS seconds
                    FROM sign_in_throttle WHERE username = 'root'
                    """
                ).first)
            #expect(try lock.decode("failures", as: Int.self) == 5)
            #expect(try lock.decode("seconds", as: Double?.self) == 1)
            try await pool.execute("UPDATE sign_in_throttle SET locked_until = now() + interval '1 minute'")
            do {
                _ = try await sessions.signIn(username: "root", password: Fixtures.password)
                Issue.record("sign-in was not slowed down")
            } catch let error as DomainError {
                guard case .rateLimited(let seconds) = error.kind else {
                    Issue.record("expected rateLimited, got \(error.kind)")
                    return
                }
                #expect(seconds >= 1)
            }
            // Once the wait is over, the right password works and clears the count.
            try await pool.execute("UPDATE sign_in_throttle SET locked_until = now() - interval '1 second'")
            _ = try await sessions.signIn(username: "root", password: Fixtures.password, code: try await fixtures.code(for: "root"))
            let left = try await pool.query("SELECT count(*)::integer AS n FROM sign_in_throttle").first!
            #expect(try left.decode("n", as: Int.self) == 0)
        }
    }

    @Test("a signed-out or expired token no longer works")
    func endedSessions() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("root", .administrator)
            let sessions = SessionStore(pool: pool, hasher: fixtures.hasher)
            let (token, principal) = try await fixtures.signIn("root")
            try await sessions.signOut(principal)
            await #expect(throws: DomainError.self) { try await sessions.authenticate(token: token) }

            let (second, _) = try await fixtures.signIn("root")
            try await pool.execute(
                "UPDATE staff_session SET created_at = now() - interval '2 days', expires_at = now() - interval '1 minute'")
            await #expect(throws: DomainError.self) { try await sessions.authenticate(token: second) }
            await #expect(throws: DomainError.self) { try await sessions.authenticate(token: "ap_made-up") }
        }
    }

    @Test("a password reset ends the account's sessions")
    func resetEndsSessions() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("root", .administrator)
            let worker = try await fixtures.staff("helper", .referralManager)
            let (_, admin) = try await fixtures.signIn("root")
            let (token, _) = try await fixtures.signIn("helper")
            try await StaffStore(pool: pool, hasher: fixtures.hasher).resetPassword(worker.id, to: "a-brand-new-password", by: admin)
            await #expect(throws: DomainError.self) {
                try await SessionStore(pool: pool, hasher: fixtures.hasher).authenticate(token: token)
            }
        }
    }
}
