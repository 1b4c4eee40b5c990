import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Synchronization
import TestSupport
import Testing

@testable import APServer

@Suite(
    "API conventions: problems, idempotency, versions, paging",
    .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ConventionTests {
    static let ifMatch = HTTPField.Name("If-Match")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    @Test(
        "bad input is answered 400 (a rule the document states) or 422 (one only the service can judge) as problem+json naming the field and the rule, never a 500 or SQL"
    )
    func badInput() async throws {
        try await withApp { client, world in
            let cases: [(HTTPRequest.Method, String, ByteBuffer?, String?, Int)] = [
                (.post, "/staff", json([:]), "username", 400),
                (
                    .post, "/staff", json(["username": "x.y", "displayName": "X", "role": "wizard", "password": "a-long-password"]), "role",
                    400
                ),
                (
                    .post, "/staff", json(["username": 42, "displayName": "X", "role": "administrator", "password": "a-long-password"]),
                    "username", 400
                ),
                (.post, "/staff", ByteBuffer(string: "{not json"), "body", 400),
                (
                    .post, "/staff", json(["username": "BAD NAME", "displayName": "X", "role": "residential_worker", "password": "short"]),
                    "password", 400
                ),
                (
                    .post, "/premises",
                    json(["code": "NEW-1", "name": "New", "regionCode": "ATLANTIS", "apType": "NORMAL", "gender": "men"]), "regionCode", 422
                ),
                (
                    .post, "/premises", json(["code": "NEW-2", "name": "New", "regionCode": "NW", "apType": "RFAP", "gender": "women"]),
                    "apType", 422
                ),
                (
                    .post, "/premises",
                    json([
                        "code": "new lower", "name": "New", "regionCode": "NW", "apType": "NORMAL", "gender": "men",
                        "timeZone": "Mars/Olympus",
                    ]), "code", 400
                ),
                (.get, "/staff/not-a-uuid", nil, "staffId", 400),
                (.get, "/staff?limit=0", nil, "limit", 400),
                (.get, "/staff?cursor=!!not-a-cursor", nil, "cursor", 422),
                (.get, "/staff?limit=lots", nil, nil, 400),
                (.post, "/auth/sign-in", json(["username": "admin"]), "password", 400),
            ]
            for (method, uri, body, field, status) in cases {
                let response = try await client.execute(uri: uri, method: method, headers: world.headers("admin"), body: body)
                #expect(Int(response.status.code) == status, "\(method) \(uri): \(response.status) \(response.text)")
                #expect(response.headers[.contentType] == "application/problem+json")
                let problem = try response.json()
                #expect((problem["detail"] as? String)?.isEmpty == false)
                #expect(problem["status"] as? Int == status)
                if let field {
                    #expect(try response.problemFields().contains(field), "\(uri): \(response.text)")
                }
                for leak in ["SELECT", "INSERT", "violates", "constraint", "Swift.", ".swift"] {
                    #expect(!response.text.contains(leak), "\(uri) leaked \(leak): \(response.text)")
                }
            }
            let staffCount: Int = try await world.pool.query("SELECT count(*)::integer AS n FROM staff").first!.decode("n")
            #expect(staffCount == TestWorld.accounts.count)
        }
    }

    @Test("several mistakes in one request are all named at once")
    func severalProblems() async throws {
        try await withApp { client, world in
            let response = try await client.execute(
                uri: "/staff", method: .post, headers: world.headers("admin"),
                body: json(["username": "BAD NAME", "displayName": " ", "role": "residential_worker", "password": "short"]))
            #expect(Set(try response.problemFields()).isSuperset(of: ["username", "displayName", "password", "premisesId"]))
        }
    }

    @Test("an unknown address is a 404 problem, a taken username a 409 naming the field")
    func notFoundAndConflict() async throws {
        try await withApp { client, world in
            let missing = try await client.execute(uri: "/no/such/thing", method: .get, headers: world.headers("admin"))
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
            let unknown = try await client.execute(uri: "/staff/\(UUID())", method: .get, headers: world.headers("admin"))
            #expect(unknown.status == .notFound)
            let taken = try await client.execute(
                uri: "/staff", method: .post, headers: world.headers("admin"),
                body: json(["username": "night", "displayName": "Again", "role": "referral_manager", "password": "a-long-password"]))
            #expect(taken.status == .conflict)
            #expect(try taken.problemFields() == ["username"])
        }
    }

    @Test("a retried POST with the same Idempotency-Key gets the first answer and records nothing twice")
    func idempotentRetry() async throws {
        try await withApp { client, world in
            let body = ["username": "jo.smith", "displayName": "Jo Smith", "role": "referral_manager", "password": "a-long-password"]
            let headers = world.headers("admin", [Self.idempotencyKey: "create-jo-1"])
            let first = try await client.execute(uri: "/staff", method: .post, headers: headers, body: json(body))
            let second = try await client.execute(uri: "/staff", method: .post, headers: headers, body: json(body))
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.text == first.text)
            #expect(second.headers[.eTag] == first.headers[.eTag])
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let rows: Int = try await world.pool.query("SELECT count(*)::integer AS n FROM staff WHERE username = 'jo.smith'").first!
                .decode("n")
            #expect(rows == 1)
            let audits: Int = try await world.pool.query(
                "SELECT count(*)::integer AS n FROM audit_event WHERE action = 'staff.create' AND after->>'username' = 'jo.smith'"
            ).first!.decode("n")
            #expect(audits == 1)

            var other = body
            other["username"] = "someone.else"
            let reused = try await client.execute(uri: "/staff", method: .post, headers: headers, body: json(other))
            #expect(reused.status == .unprocessableContent)
            #expect(try reused.problemFields() == ["Idempotency-Key"])
        }
    }

    @Test("retries sent all at once with the same Idempotency-Key: one change, one audit row, every one given the first answer")
    func concurrentRetries() async throws {
        try await withApp(.live) { client, world in
            let body = ["username": "lee.concurrent", "displayName": "Lee", "role": "referral_manager", "password": "a-long-password"]
            let headers = world.headers("admin", [Self.idempotencyKey: "create-lee"])
            let port = try #require(client.port)
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String, Bool).self) { group in
                // Each retry on a connection of its own, as six clients would send them (the test
                // client sends requests on one connection one after another). The read timeout is
                // generous because a loaded CI machine runs every suite at once.
                for _ in 0..<6 {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120))) {
                            own in
                            let response = try await own.execute(.init("/staff", method: .post, headers: headers, body: json(body)))
                            return (
                                response.status, String(buffer: response.body ?? ByteBuffer()),
                                response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true"
                            )
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.0 == .created })
            #expect(Set(answers.map(\.1)).count == 1)
            #expect(answers.filter { !$0.2 }.count == 1)
            let rows: Int = try await world.pool.query("SELECT count(*)::integer AS n FROM staff WHERE username = 'lee.concurrent'").first!
                .decode("n")
            #expect(rows == 1)
            let audits: Int = try await world.pool.query(
                "SELECT count(*)::integer AS n FROM audit_event WHERE action = 'staff.create' AND after->>'username' = 'lee.concurrent'"
            ).first!.decode("n")
            #expect(audits == 1)
            let kept: Int = try await world.pool.query(
                "SELECT count(*)::integer AS n FROM idempotency_record WHERE idempotency_key = 'create-lee' AND status = 201"
            ).first!.decode("n")
            #expect(kept == 1)
        }
    }

    @Test("a refused POST keeps nothing of its key: no claim is left behind to block the retry")
    func refusedLeavesNoClaim() async throws {
        try await withApp { client, world in
            let headers = world.headers("admin", [Self.idempotencyKey: "create-short"])
            let failed = try await client.execute(
                uri: "/staff", method: .post, headers: headers,
                body: json(["username": "ash", "displayName": "Ash", "role": "referral_manager", "password": "short"]))
            #expect(failed.status == .badRequest)
            let claims: Int = try await world.pool.query(
                "SELECT count(*)::integer AS n FROM idempotency_record WHERE idempotency_key = 'create-short'"
            ).first!.decode("n")
            #expect(claims == 0)
        }
    }

    @Test("a POST that failed can be retried with the same key once it is put right")
    func failedRequestForgotten() async throws {
        try await withApp { client, world in
            let headers = world.headers("admin", [Self.idempotencyKey: "create-kim"])
            var body = ["username": "kim", "displayName": "Kim", "role": "referral_manager", "password": "short"]
            let failed = try await client.execute(uri: "/staff", method: .post, headers: headers, body: json(body))
            #expect(failed.status == .badRequest)
            body["password"] = "a-long-password"
            let fixed = try await client.execute(uri: "/staff", method: .post, headers: headers, body: json(body))
            #expect(fixed.status == .created)
        }
    }

    @Test(
        "a crash between the change and its answer: before the commit the retry runs as the first time, after it the retry replays; once each"
    )
    func crashWindow() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await TestWorld.make(pool: pool)
            let crashes = CrashOnce()
            let faults = IdempotencyStore.Faults(
                beforeCommit: { try crashes.fail("before", key: $0) }, afterCommit: { try crashes.fail("after", key: $0) })
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let router = try buildRouter(pool: pool, passwordHasher: PasswordHasher(cost: 4), idempotencyFaults: faults, logger: logger)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
            try await app.test(.router) { client in
                let arrived = try await client.execute(
                    uri: "/placements/\(world.placement)/arrival", method: .post, headers: world.headers("manager"),
                    body: json(["arrivedAt": Date().addingTimeInterval(-7_200).formatted(.iso8601)]))
                #expect(arrived.status == .ok)
                let movements = "/placements/\(world.placement)/movements"
                func count() async throws -> Int {
                    try await pool.query("SELECT count(*)::integer AS n FROM movement WHERE placement_id = \(world.placement)").first!
                        .decode("n")
                }
                // Dies after the sign-out and its answer are written, before they commit: nothing stays.
                let out = json(["kind": "out", "occurredAt": Date().addingTimeInterval(-3_600).formatted(.iso8601)])
                let outKey = world.headers("night", [Self.idempotencyKey: "crash-before-out"])
                let died = try await client.execute(uri: movements, method: .post, headers: outKey, body: out)
                #expect(died.status == .internalServerError)
                #expect(try await count() == 0)
                let retried = try await client.execute(uri: movements, method: .post, headers: outKey, body: out)
                #expect(retried.status == .created, "\(retried.text)")
                #expect(retried.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
                #expect(try await count() == 1)
                // Dies after the sign-in commits, before its answer is sent: the retry is given the
                // first answer, not "already signed in".
                let signIn = json(["kind": "in", "occurredAt": Date().addingTimeInterval(-600).formatted(.iso8601)])
                let inKey = world.headers("night", [Self.idempotencyKey: "crash-after-in"])
                let lost = try await client.execute(uri: movements, method: .post, headers: inKey, body: signIn)
                #expect(lost.status == .internalServerError)
                #expect(try await count() == 2)
                let replayed = try await client.execute(uri: movements, method: .post, headers: inKey, body: signIn)
                #expect(replayed.status == .created, "\(replayed.text)")
                #expect(replayed.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                #expect(try replayed.json()["kind"] as? String == "in")
                #expect(try await count() == 2)
                let audits: Int = try await pool.query(
                    "SELECT count(*)::integer AS n FROM audit_event WHERE action IN ('movement.out', 'movement.in')"
                ).first!.decode("n")
                #expect(audits == 2)
            }
        }
    }

    @Test("keys belong to the member of staff: two people's same key are two requests")
    func keysPerStaff() async throws {
        try await withApp { client, world in
            try await world.fixtures.staff("admin2", .administrator)
            let token2 = try await world.fixtures.signIn("admin2").token
            let first = try await client.execute(
                uri: "/staff", method: .post, headers: world.headers("admin", [Self.idempotencyKey: "same"]),
                body: json(["username": "from.one", "displayName": "One", "role": "referral_manager", "password": "a-long-password"]))
            var headers = world.headers(nil, [Self.idempotencyKey: "same"])
            headers[.authorization] = "Bearer \(token2)"
            let second = try await client.execute(
                uri: "/staff", method: .post, headers: headers,
                body: json(["username": "from.two", "displayName": "Two", "role": "referral_manager", "password": "a-long-password"]))
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
        }
    }

    @Test("an update needs the current ETag in If-Match: missing is 428, stale is 412")
    func optimisticConcurrency() async throws {
        try await withApp { client, world in
            let uri = "/staff/\(world.staff["night"]!.id)"
            let read = try await client.execute(uri: uri, method: .get, headers: world.headers("admin"))
            #expect(read.headers[.eTag] == "\"1\"")
            let missing = try await client.execute(
                uri: uri, method: .patch, headers: world.headers("admin"), body: json(["displayName": "A"]))
            #expect(missing.status.code == 428)
            let first = try await client.execute(
                uri: uri, method: .patch, headers: world.headers("admin", [Self.ifMatch: "\"1\""]), body: json(["displayName": "First"]))
            #expect(first.status == .ok)
            #expect(first.headers[.eTag] == "\"2\"")
            let stale = try await client.execute(
                uri: uri, method: .patch, headers: world.headers("admin", [Self.ifMatch: "\"1\""]), body: json(["displayName": "Second"]))
            #expect(stale.status == .preconditionFailed)
            let stored: String = try await world.pool.query("SELECT display_name FROM staff WHERE username = 'night'").first!.decode(
                "display_name")
            #expect(stored == "First")
            let audit = try await client.execute(
                uri: "/audit?entity=staff&entityId=\(world.staff["night"]!.id.uuidString)", method: .get, headers: world.headers("admin"))
            let items = (try audit.json()["items"] as? [[String: Any]]) ?? []
            let update = try #require(items.first { $0["action"] as? String == "staff.update" })
            #expect((update["before"] as? String)?.contains("Night") == true)
            #expect((update["after"] as? String)?.contains("First") == true)
        }
    }

    @Test("lists are paged: limit and nextCursor walk every item once")
    func paging() async throws {
        try await withApp { client, world in
            var seen = [String]()
            var cursor: String? = nil
            repeat {
                let uri = "/staff?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.execute(uri: uri, method: .get, headers: world.headers("admin"))
                let body = try page.json()
                let items = (body["items"] as? [[String: Any]]) ?? []
                #expect(items.count <= 3)
                seen += items.compactMap { $0["username"] as? String }
                cursor = body["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == TestWorld.accounts.map(\.0).sorted())
        }
    }

    @Test("sign-in answers a token, and five wrong passwords make the sixth try wait (429 with Retry-After)")
    func signInOverHTTP() async throws {
        try await withApp { client, world in
            let good = try await client.execute(
                uri: "/auth/sign-in", method: .post, headers: world.headers(nil),
                body: json(["username": "night", "password": Fixtures.password]))
            #expect(good.status == .ok)
            let token = try #require(try good.json()["token"] as? String)
            var headers = world.headers(nil)
            headers[.authorization] = "Bearer \(token)"
            let me = try await client.execute(uri: "/me", method: .get, headers: headers)
            #expect(((try me.json()["staff"] as? [String: Any])?["username"] as? String) == "night")

            for _ in 0..<5 {
                let wrong = try await client.execute(
                    uri: "/auth/sign-in", method: .post, headers: world.headers(nil),
                    body: json(["username": "night", "password": "nope-nope-nope"]))
                #expect(wrong.status == .unauthorized)
            }
            // Five wrong passwords lock the account; the first wait is a second (doubling with each
            // further failure), which a loaded machine can let pass before its next request, so the
            // lock is lengthened here to test what a locked account is told, not the clock.
            let locked: Bool =
                try await world.pool.query(
                    "SELECT locked_until IS NOT NULL AS locked FROM sign_in_throttle WHERE username = 'night'"
                ).first?.decode("locked") ?? false
            #expect(locked)
            try await world.pool.execute("UPDATE sign_in_throttle SET locked_until = now() + interval '1 minute' WHERE username = 'night'")
            let slowed = try await client.execute(
                uri: "/auth/sign-in", method: .post, headers: world.headers(nil),
                body: json(["username": "night", "password": Fixtures.password]))
            #expect(slowed.status == .tooManyRequests)
            #expect(slowed.headers[.retryAfter] != nil)

            let out = try await client.execute(uri: "/auth/sign-out", method: .post, headers: headers)
            #expect(out.status == .noContent)
            let after = try await client.execute(uri: "/me", method: .get, headers: headers)
            #expect(after.status == .unauthorized)
        }
    }

    @Test("health, readiness and the OpenAPI document need no sign-in")
    func serviceEndpoints() async throws {
        try await withApp { client, _ in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(try health.json()["status"] as? String == "ok")
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(try ready.json()["status"] as? String == "ready")
            let document = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(document.text.hasPrefix("openapi:"))
            #expect(document.headers[.requestID] != nil)
        }
    }

    @Test("reference vocabularies come with their NDelius codes")
    func reference() async throws {
        try await withApp { client, world in
            let reasons = try await client.execute(uri: "/reference/departure-reasons", method: .get, headers: world.headers("night"))
            let items = try JSONSerialization.jsonObject(with: Data(buffer: reasons.body)) as? [[String: Any]] ?? []
            #expect(items.contains { $0["code"] as? String == "F" && $0["parent"] as? String == "BR" })
            let unknown = try await client.execute(uri: "/reference/horoscopes", method: .get, headers: world.headers("night"))
            #expect(unknown.status == .notFound)
        }
    }
}

/// Fails each fault point once for keys naming it (`crash-before-…`, `crash-after-…`), as a
/// crash at that instant would.
final class CrashOnce: Sendable {
    private let failed = Mutex<Set<String>>([])

    struct Crash: Error {}

    func fail(_ point: String, key: String) throws {
        guard key.hasPrefix("crash-\(point)-") else { return }
        let first = failed.withLock { $0.insert(key).inserted }
        if first { throw Crash() }
    }
}
