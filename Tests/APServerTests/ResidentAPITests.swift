import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APServer

@Suite("Key work, testing and move-on over HTTP", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ResidentAPITests {
    @Test("bad input to key work, tests and move-on is a 4xx naming the field, never a 500")
    func badInput() async throws {
        try await withApp { client, world in
            let arrived = try await client.execute(
                uri: "/placements/\(world.placement)/arrival", method: .post, headers: world.headers("manager"),
                body: json(["arrivedAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))]))
            #expect(arrived.status == .ok, "\(arrived.text)")
            let cases: [(String, [String: Any], [String])] = [
                (
                    "/placements/\(world.placement)/key-work-sessions",
                    ["heldAt": "\(testDay(-30))T10:00:00Z", "durationMinutes": 2, "kind": "chat", "notes": " "], ["kind"]
                ),
                // A value outside a field's enum is named first (with the values it takes); the rest once it is right.
                (
                    "/placements/\(world.placement)/key-work-sessions",
                    ["heldAt": "\(testDay(-30))T10:00:00Z", "durationMinutes": 2, "kind": "induction", "notes": " "],
                    ["durationMinutes", "notes"]
                ),
                (
                    "/placements/\(world.placement)/key-work-sessions",
                    [
                        "heldAt": "\(testDay(-30))T10:00:00Z", "durationMinutes": 30, "kind": "induction", "notes": "x",
                        "nextSessionOn": "next week",
                    ], ["nextSessionOn"]
                ),
                (
                    "/placements/\(world.placement)/key-work-sessions",
                    [
                        "heldAt": "\(testDay(-30))T10:00:00Z", "durationMinutes": 30, "kind": "induction", "notes": "x",
                        "actions": [["action": "", "owner": "resident", "dueOn": "\(testDay(0))"]],
                    ], ["actions[0].action"]
                ),
                ("/placements/\(world.placement)/tests", ["reason": "whim", "sampleType": "hair"], ["reason", "sampleType"]),
                ("/placements/\(world.placement)/tests", ["reason": "random", "sampleType": "breath"], ["missedReason"]),
                (
                    "/placements/\(world.placement)/tests",
                    ["reason": "random", "sampleType": "urine_lab", "takenAt": "\(testDay(-30))T10:00:00Z"], ["sampleNumber"]
                ),
                (
                    "/placements/\(world.placement)/tests", ["reason": "random", "sampleType": "breath", "missedReason": "other"],
                    ["missedNote"]
                ),
                (
                    "/premises/\(world.elm)/testing-authorisations",
                    ["reasons": ["whim"], "from": "\(testDay(-30))", "until": "2026-10-01", "note": ""],
                    ["reasons[0]"]
                ),
                (
                    "/premises/\(world.elm)/testing-authorisations",
                    ["reasons": ["random"], "from": "\(testDay(-30))", "until": "2026-10-01", "note": ""],
                    ["until", "note"]
                ),
                ("/placements/\(world.placement)/move-on/pathways", ["kind": "boat"], ["kind"]),
                ("/placements/\(world.placement)/move-on/address", ["address": "  "], ["address"]),
                (
                    "/tests/\(UUID())/results", ["results": [["substance": "tea", "result": "positive", "reading": 3]]],
                    ["results[0].substance"]
                ),
                (
                    "/tests/\(UUID())/results", ["results": [["substance": "cannabis", "result": "positive", "reading": 3]]],
                    ["results[0].reading"]
                ),
                ("/tests/\(UUID())/custody", ["step": "lost", "person": ""], ["step"]),
                ("/tests/\(UUID())/custody", ["step": "sealed", "person": ""], ["person"]),
                ("/placements/\(world.placement)/key-worker", ["staffId": "not-a-uuid"], ["staffId"]),
            ]
            // 400 when a rule the document states is broken; 422 when only rules the service judges are
            // (a field needed because of another's value, a reading for a substance that has none, dates out of order).
            let judged: Set<[String]> = [["missedReason"], ["sampleNumber"], ["missedNote"], ["results[0].reading"]]
            for (uri, body, fields) in cases {
                let response = try await client.execute(uri: uri, method: .post, headers: world.headers("manager"), body: json(body))
                #expect(
                    response.status == (judged.contains(fields) ? .unprocessableContent : .badRequest),
                    "\(uri): \(response.status) \(response.text)")
                #expect(Set(try response.problemFields()) == Set(fields), "\(uri): \(response.text)")
            }
            // Well-formed but impossible: no authorisation covers the test; an unknown test.
            let unauthorised = try await client.execute(
                uri: "/placements/\(world.placement)/tests", method: .post, headers: world.headers("manager"),
                body: json(["reason": "random", "sampleType": "breath", "missedReason": "no_kit"]))
            #expect(unauthorised.status == .conflict, "\(unauthorised.text)")
            let unknown = try await client.execute(
                uri: "/tests/\(UUID())/follow-ups", method: .post, headers: world.headers("manager"),
                body: json(["action": "warning"]))
            #expect(unknown.status == .notFound, "\(unknown.text)")
            let record = try await client.execute(
                uri: "/placements/\(world.placement)/record", method: .get, headers: world.headers("night"))
            #expect(record.status == .ok)
            let text = try await client.execute(
                uri: "/placements/\(world.placement)/departure-summary/text", method: .get, headers: world.headers("night"))
            #expect(text.status == .ok && text.text.contains("Departure summary: Sam Jones"), "\(text.text)")
        }
    }
}
