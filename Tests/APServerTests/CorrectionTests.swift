import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@testable import APServer

/// The right to rectification where nothing could be amended before: a key-work session and a
/// test's result corrected through the API, the original kept, the correction shown and counted,
/// and bad corrections refused naming the field.
@Suite("Corrections of key work and test results", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct CorrectionTests {
    /// An answer's body as a JSON array.
    static func array(_ response: TestResponse) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [[String: Any]] ?? []
    }

    @Test("a key-work session corrected: the correction shown, the original kept and exported, bad input refused naming the field")
    func keyWork() async throws {
        try await withApp { client, world in
            let journey = try await SubjectAccessTests.journey(world)
            let listed = try await client.execute(
                uri: "/placements/\(journey.stay)/key-work-sessions", method: .get, headers: world.headers("keyworker"))
            let session = try #require((try Self.array(listed).first)?["id"] as? String)
            let heldAt = SubjectAccessTests.at(-24, "10:00").formatted(.iso8601)
            func correct(_ body: [String: Any], as username: String = "keyworker", session id: String = session) async throws
                -> TestResponse
            {
                try await client.execute(
                    uri: "/key-work-sessions/\(id)/corrections", method: .post, headers: world.headers(username),
                    body: json(body))
            }
            let whole: [String: Any] = [
                "heldAt": heldAt, "durationMinutes": 50, "kind": "relapse_prevention", "topics": ["alcohol"],
                "notes": "Talked through the breach and the CGL drop-in", "reason": "the notes left out the referral agreed",
            ]
            let corrected = try await correct(whole)
            #expect(corrected.status == .created, "\(corrected.text)")
            let body = try corrected.json()
            #expect(body["notes"] as? String == "Talked through the breach and the CGL drop-in" && body["durationMinutes"] as? Int == 50)
            let correction = try #require(body["correction"] as? [String: Any])
            #expect(
                correction["reason"] as? String == "the notes left out the referral agreed" && correction["by"] as? String == "Keyworker")
            // The list shows it corrected; the session as first recorded is kept, and in the audit log.
            let again = try await client.execute(
                uri: "/placements/\(journey.stay)/key-work-sessions", method: .get, headers: world.headers("manager"))
            #expect((try Self.array(again).first)?["notes"] as? String == "Talked through the breach and the CGL drop-in")
            let original: String = try await world.pool.query(
                "SELECT notes FROM key_work_session WHERE id = \(UUID(uuidString: session)!)")[0]
                .decode("notes")
            #expect(original == "Talked through the breach")
            let audited = try await world.pool.query("SELECT before::text AS b FROM audit_event WHERE action = 'key_work.correction'")
            let before = try audited.first?.decode("b", as: String.self) ?? ""
            #expect(audited.count == 1 && before.contains("\"notes\": \"Talked through the breach\""), "\(before)")

            // Refused, naming the field and rule; nothing written.
            var blank = whole
            blank["reason"] = " "
            var future = whole
            future["heldAt"] = Date().addingTimeInterval(86_400).formatted(.iso8601)
            var early = whole
            early["heldAt"] = SubjectAccessTests.at(-40, "10:00").formatted(.iso8601)
            for (bad, field) in [(blank, "reason"), (future, "heldAt"), (early, "heldAt")] {
                let answer = try await correct(bad)
                #expect(
                    [400, 422].contains(answer.status.code) && answer.text.contains(field), "\(field): \(answer.status) \(answer.text)")
            }
            #expect(try await correct(whole, session: UUID().uuidString).status == .notFound)
            #expect(try await correct(whole, as: "night").status == .forbidden)
            let count: Int = try await world.pool.query("SELECT count(*)::integer AS n FROM key_work_session_correction")[0].decode("n")
            #expect(count == 1)

            // The export holds the session as first recorded and its correction.
            let export = try await client.execute(uri: "/subject-access-request?crn=S000001", method: .get, headers: world.headers("sar"))
            #expect(export.text.contains("\"keyWorkCorrections\"") && export.text.contains("the notes left out the referral agreed"))
        }
    }

    @Test("a test's result corrected: shown with what it was, counted as corrected in the report, the original kept; bad input refused")
    func testResult() async throws {
        try await withApp { client, world in
            let journey = try await SubjectAccessTests.journey(world)
            let listed = try await client.execute(uri: "/placements/\(journey.stay)/tests", method: .get, headers: world.headers("manager"))
            let test = try #require((try Self.array(listed).first)?["id"] as? String)
            func correct(_ body: [String: Any]) async throws -> TestResponse {
                try await client.execute(
                    uri: "/tests/\(test)/result-corrections", method: .post, headers: world.headers("manager"),
                    body: json(body))
            }
            let corrected = try await correct([
                "substance": "cocaine", "result": "negative", "reason": "the laboratory's re-test was negative",
            ])
            #expect(corrected.status == .ok, "\(corrected.text)")
            let result = try #require((try corrected.json()["results"] as? [[String: Any]])?.first)
            #expect(result["result"] as? String == "negative" && result["correctedFrom"] as? String == "positive")
            #expect(result["correctionReason"] as? String == "the laboratory's re-test was negative")
            let original: String = try await world.pool.query("SELECT result FROM substance_test_result")[0].decode("result")
            #expect(original == "positive")
            // The resident's tests tab in the browser shows it corrected, with what it was and why.
            let cookie = try await WebViewTests.browserSignIn(client, "manager", world.fixtures)
            let tab = try await client.execute(
                uri: "/premises/ELM/placements/\(journey.stay)/tests", method: .get, headers: [.accept: "text/html", .cookie: cookie])
            #expect(
                tab.text.contains("Cocaine: Negative (corrected from positive: the laboratory&#39;s re-test was negative)"), "\(tab.text)")
            let admin = try await world.fixtures.signIn("admin").principal
            let report = try await ReportStore(pool: world.pool).operations(
                .premises(world.elm), from: testDay(-40), to: testDay(1), period: .year, by: admin)
            #expect(report.rows.map(\.testResults).reduce(into: [:]) { $0.merge($1, uniquingKeysWith: +) } == ["cocaine: negative": 1])

            for (bad, words) in [
                (["substance": "opiates", "result": "negative", "reason": "r"], "substance"),
                (["substance": "cocaine", "result": "negative", "reason": "again"], "nothing to correct"),
                (["substance": "cocaine", "result": "positive", "reason": ""], "reason"),
                (["substance": "cocaine", "result": "positive", "reading": 12.0, "reason": "r"], "reading"),
            ] {
                let answer = try await correct(bad)
                #expect(
                    [400, 409, 422].contains(answer.status.code) && answer.text.contains(words), "\(bad): \(answer.status) \(answer.text)")
            }
            let count: Int = try await world.pool.query("SELECT count(*)::integer AS n FROM substance_test_result_correction")[0].decode(
                "n")
            #expect(count == 1)
        }
    }
}
