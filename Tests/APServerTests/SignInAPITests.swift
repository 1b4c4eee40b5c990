import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Signing in with a second factor over HTTP and with `ap login`; one's sessions and an
/// administrator's reset through the API and `ap sessions`; passwords as the NCSC advises; the
/// sign-in form's token (login CSRF) and the security headers and cookies.
@Suite("Sign-in over HTTP", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct SignInAPITests {
    static func signIn(_ client: some TestClientProtocol, _ world: TestWorld, _ username: String, code: String? = nil) async throws
        -> TestResponse
    {
        var body: [String: Any] = ["username": username, "password": Fixtures.password]
        if let code { body["code"] = code }
        return try await client.execute(uri: "/auth/sign-in", method: .post, headers: world.headers(nil), body: json(body))
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }

    @Test("the API gives a token only with the code; wrong codes lock the account out with 429 and Retry-After")
    func tokenOnlyAfterTheCode() async throws {
        try await withApp { client, world in
            let bare = try await Self.signIn(client, world, "manager")
            #expect(bare.status == .unauthorized && !bare.text.contains("\"token\""))
            let problem = try #require((try bare.json()["errors"] as? [[String: Any]])?.first)
            #expect(problem["field"] as? String == "code" && problem["rule"] as? String == "required")

            let right = try await Self.signIn(client, world, "manager", code: try await world.fixtures.code(for: "manager"))
            let token = try right.json()["token"] as? String
            #expect(right.status == .ok && token != nil)

            for _ in 0..<5 {
                let wrong = try await Self.signIn(client, world, "manager", code: "000000")
                #expect(wrong.status == .unauthorized)
                #expect((try wrong.json()["errors"] as? [[String: Any]])?.first?["rule"] as? String == "wrong")
            }
            try await world.pool.execute(
                "UPDATE sign_in_throttle SET locked_until = now() + interval '1 minute' WHERE username = 'manager'")
            let locked = try await Self.signIn(client, world, "manager", code: try await world.fixtures.code(for: "manager"))
            #expect(locked.status == .tooManyRequests)
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 > 0)
        }
    }

    @Test("ap login sets up a factor with its first code and prints ten recovery codes; ap sessions lists and ends the others")
    func loginEnrolsAndSessions() async throws {
        try await withApp(.live) { client, world in
            _ = try await StaffStore(pool: world.pool, hasher: world.fixtures.hasher).createAsOperator(
                NewStaff(username: "new.unit", displayName: "New Unit", role: .referralManager, password: Fixtures.password))
            // The secret `ap login` will show: set up first here to know it (the same secret again there).
            let enrolment = try await client.execute(
                uri: "/auth/second-factor", method: .post, headers: world.headers(nil),
                body: json(["username": "new.unit", "password": Fixtures.password]))
            #expect(enrolment.status == .ok)
            let secret = try #require(try enrolment.json()["secret"] as? String)
            #expect(
                (try enrolment.json()["uri"] as? String)?.hasPrefix("otpauth://totp/Approved%20Premises%3Anew.unit?secret=\(secret)")
                    == true)
            let step = TOTP.step(at: Date())
            let code = TOTP.code(secret: try #require(Base32.decode(secret)), step: step)

            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("unit.json")
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let login = try await CommandLineTests.ap(
                ["login", "new.unit", "--server", server], config: config, stdin: Fixtures.password + "\n" + code + "\n")
            #expect(login.status == 0, "\(login.output)")
            #expect(login.output.contains(secret) && login.output.contains("recovery codes"), "\(login.output)")
            let codes = login.output.split(separator: "\n").filter { $0.wholeMatch(of: /\ {4}[a-z2-9]{5}-[a-z2-9]{5}/) != nil }
            #expect(codes.count == 10, "\(login.output)")

            let other = try await Self.signIn(
                client, world, "new.unit", code: TOTP.code(secret: try #require(Base32.decode(secret)), step: step + 1))
            let otherToken = try #require(try other.json()["token"] as? String)
            let list = try await CommandLineTests.ap(["sessions"], config: config)
            #expect(
                list.status == 0 && list.output.contains(" ap ") && list.output.contains("API") && list.output.contains("(this one)"),
                "\(list.output)")
            let ended = try await CommandLineTests.ap(["sessions", "end", "--others"], config: config)
            #expect(ended.status == 0 && ended.output.contains("Ended 1 other session"), "\(ended.output)")
            #expect(try await client.execute(uri: "/me", method: .get, headers: Self.bearer(otherToken)).status == .unauthorized)
            #expect(try await CommandLineTests.ap(["whoami"], config: config).status == 0, "this session goes on")
        }
    }

    @Test(
        "an administrator lists and ends a person's sessions and resets their factor (audited, the person told by e-mail); others may not")
    func administratorReset() async throws {
        try await withApp { client, world in
            let pp = try #require(world.staff["pp"]).id.uuidString.lowercased()
            let refused = try await client.execute(uri: "/staff/\(pp)/second-factor", method: .delete, headers: world.headers("manager"))
            #expect(refused.status == .forbidden)
            let listed = try await client.execute(uri: "/staff/\(pp)/sessions", method: .get, headers: world.headers("admin"))
            let items = try listed.json()["items"] as? [Any]
            #expect(listed.status == .ok && (items?.count ?? 0) >= 1)
            let reset = try await client.execute(uri: "/staff/\(pp)/second-factor", method: .delete, headers: world.headers("admin"))
            #expect(reset.status == .noContent)
            #expect(try await client.execute(uri: "/me", method: .get, headers: world.headers("pp")).status == .unauthorized)
            let told: String? = try await world.pool.query(
                "SELECT recipient FROM notification WHERE event = 'second_factor_reset' AND recipient_kind = 'staff'"
            ).first?.decode("recipient")
            #expect(told == "pp@probation.example")
            let again = try await Self.signIn(client, world, "pp", code: "123456")
            #expect(again.status == .unauthorized)
            let bare = try await Self.signIn(client, world, "pp")
            #expect((try bare.json()["errors"] as? [[String: Any]])?.first?["rule"] as? String == "enrol")

            let token = try #require(try await Self.signIn(client, world, "night").json()["token"] as? String)
            let night = try #require(world.staff["night"]).id.uuidString.lowercased()
            let ended = try await client.execute(uri: "/staff/\(night)/sessions", method: .delete, headers: world.headers("admin"))
            let count = try ended.json()["ended"] as? Int
            #expect(ended.status == .ok && (count ?? 0) >= 2)
            #expect(try await client.execute(uri: "/me", method: .get, headers: Self.bearer(token)).status == .unauthorized)
        }
    }

    @Test("a new password of 11 characters or from the deny-list is refused naming the field and rule; a change ends the other sessions")
    func passwordChange() async throws {
        try await withApp { client, world in
            let other = try #require(try await Self.signIn(client, world, "night").json()["token"] as? String)
            for (password, status, rule) in [("eleven-char", 400, "length"), ("password1234", 422, "common")] {
                let refused = try await client.execute(
                    uri: "/auth/password", method: .post, headers: world.headers("night"),
                    body: json(["currentPassword": Fixtures.password, "newPassword": password]))
                #expect(Int(refused.status.code) == status, "\(refused.text)")
                let problem = (try refused.json()["errors"] as? [[String: Any]])?.first
                #expect(["newPassword", "password"].contains(problem?["field"] as? String ?? ""), "\(refused.text)")
                #expect(refused.text.contains(rule), "\(refused.text)")
            }
            let changed = try await client.execute(
                uri: "/auth/password", method: .post, headers: world.headers("night"),
                body: json(["currentPassword": Fixtures.password, "newPassword": "four words of my own"]))
            #expect(changed.status == .noContent)
            #expect(try await client.execute(uri: "/me", method: .get, headers: Self.bearer(other)).status == .unauthorized)
            #expect(try await client.execute(uri: "/me", method: .get, headers: world.headers("night")).status == .ok)
        }
    }

    @Test("a premises' manager asks its residential workers for a second factor too; a residential worker may not")
    func premisesSetting() async throws {
        try await withApp { client, world in
            let path = "/premises/\(world.elm.uuidString.lowercased())/second-factor"
            let refused = try await client.execute(
                uri: path, method: .put, headers: world.headers("night"), body: json(["secondFactorForAllStaff": true]))
            #expect(refused.status == .forbidden)
            let set = try await client.execute(
                uri: path, method: .put, headers: world.headers("manager"), body: json(["secondFactorForAllStaff": true]))
            let setting = try set.json()["secondFactorForAllStaff"] as? Bool
            #expect(set.status == .ok && setting == true)
            let night = try await Self.signIn(client, world, "night")
            #expect(night.status == .unauthorized)
            #expect((try night.json()["errors"] as? [[String: Any]])?.first?["rule"] as? String == "enrol")
        }
    }
}
