import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APServer

@Suite("Beds and placements over HTTP", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct BedsAPITests {
    @Test("rooms and beds load from CSV all at once, or not at all, naming the line at fault")
    func importRooms() async throws {
        try await withApp { client, world in
            var headers = world.headers("manager")
            headers[.contentType] = "text/csv"
            let good = """
                room,floor,characteristics,bed,in_use_from
                Room 2,Ground,isSingle hasEnSuite,2,2026-01-01
                "Room 3, annexe",First,isSingle,3a,2026-01-01
                "Room 3, annexe",First,isSingle,3b,
                """
            let loaded = try await client.execute(
                uri: "/premises/\(world.elm)/rooms/import", method: .post, headers: headers, body: ByteBuffer(string: good))
            #expect(loaded.status == .created, "\(loaded.text)")
            let rooms = try JSONSerialization.jsonObject(with: Data(buffer: loaded.body)) as? [[String: Any]] ?? []
            #expect(rooms.compactMap { $0["name"] as? String } == ["Room 1", "Room 2", "Room 3, annexe"])
            #expect(rooms.map { ($0["beds"] as? [Any])?.count ?? 0 } == [1, 1, 2])

            let beds = { try await world.pool.query("SELECT count(*)::integer AS n FROM bed").first!.decode("n", as: Int.self) }
            let before = try await beds()
            let bad = """
                room,floor,characteristics,bed,in_use_from
                Room 9,Ground,isSingle,9,2026-01-01
                Room 10,Ground,isSingle,10,next tuesday
                """
            let refused = try await client.execute(
                uri: "/premises/\(world.elm)/rooms/import", method: .post, headers: headers, body: ByteBuffer(string: bad))
            #expect(refused.status == .badRequest)
            #expect(try refused.problemFields() == ["line 3"])
            let unknown = """
                room,floor,characteristics,bed,in_use_from
                Room 9,Ground,hasJacuzzi,9,2026-01-01
                """
            let unknownAnswer = try await client.execute(
                uri: "/premises/\(world.elm)/rooms/import", method: .post, headers: headers, body: ByteBuffer(string: unknown))
            #expect(unknownAnswer.status == .unprocessableContent)
            #expect(try unknownAnswer.problemFields() == ["characteristics"])
            #expect(try await beds() == before)
        }
    }

    /// Gives Sam Jones the bed, then books a second placement over the same nights (knowingly
    /// overbooked), which has no bed yet; its id.
    static func secondPlacementForTakenBed(_ client: some TestClientProtocol, _ world: TestWorld) async throws -> String {
        let first = try await client.execute(
            uri: "/placements/\(world.placement)/allocations", method: .post, headers: world.headers("manager"),
            body: json(["bedId": world.bed.uuidString]))
        #expect(first.status == .ok)
        let booked = try await client.execute(
            uri: "/premises/\(world.elm)/placements", method: .post, headers: world.headers("referrals"),
            body: json([
                "crn": "X000002", "personName": "Kim Lee", "expectedArrival": "\(testDay(4))", "expectedDeparture": "\(testDay(7))",
                "overbookingReason": "test",
            ]))
        #expect(booked.status == .created, "\(booked.text)")
        return try #require(try booked.json()["id"] as? String)
    }

    @Test("a second allocation of a taken bed is a 409 naming who has it")
    func doubleAllocation() async throws {
        try await withApp { client, world in
            let second = try await Self.secondPlacementForTakenBed(client, world)
            let clash = try await client.execute(
                uri: "/placements/\(second)/allocations", method: .post, headers: world.headers("manager"),
                body: json(["bedId": world.bed.uuidString]))
            #expect(clash.status == .conflict)
            #expect((try clash.json()["detail"] as? String)?.contains("Sam Jones (X000001)") == true)
        }
    }

    @Test("the clash answered inside a request's own transaction (with an Idempotency-Key) still names who has the bed, and keeps nothing")
    func doubleAllocationWithKey() async throws {
        try await withApp { client, world in
            let second = try await Self.secondPlacementForTakenBed(client, world)
            let key = HTTPField.Name("Idempotency-Key")!
            let clash = try await client.execute(
                uri: "/placements/\(second)/allocations", method: .post, headers: world.headers("manager", [key: "allocate-lou"]),
                body: json(["bedId": world.bed.uuidString]))
            #expect(clash.status == .conflict)
            #expect((try clash.json()["detail"] as? String)?.contains("Sam Jones (X000001)") == true)
            let kept: Int = try await world.pool.query(
                "SELECT count(*)::integer AS n FROM idempotency_record WHERE idempotency_key = 'allocate-lou'"
            ).first!.decode("n")
            #expect(kept == 0)
        }
    }

    @Test("bad dates and ids name their field; the board answers JSON for the nights asked")
    func boardAndBadInput() async throws {
        try await withApp { client, world in
            let board = try await client.execute(
                uri: "/premises/\(world.elm)/bed-board?from=\(testDay(0))&nights=3", method: .get, headers: world.headers("night"))
            #expect(board.status == .ok)
            let body = try board.json()
            #expect((body["nights"] as? [String]) == ["\(testDay(0))", "\(testDay(1))", "\(testDay(2))"])
            let summary = body["summary"] as? [[String: Any]] ?? []
            #expect(summary.map { $0["booked"] as? Int } == [1, 1, 1])
            #expect(summary.map { $0["unallocated"] as? Int } == [1, 1, 1])

            let cases: [(HTTPRequest.Method, String, ByteBuffer?, String, Int)] = [
                (.get, "/premises/\(world.elm)/bed-board?from=2026-13-01", nil, "from", 400),
                (.get, "/premises/\(world.elm)/bed-board?nights=400", nil, "nights", 400),
                (
                    .post, "/premises/\(world.elm)/placements",
                    json(["crn": "nope", "personName": "A", "expectedArrival": "\(testDay(0))"]), "crn", 400
                ),
                (
                    .post, "/premises/\(world.elm)/placements",
                    json(["crn": "X000009", "personName": "A", "expectedArrival": "\(testDay(0))", "needs": ["hasMoat"]]), "needs", 422
                ),
                (
                    .post, "/premises/\(world.elm)/placements",
                    json(["crn": "X000009", "personName": "A", "expectedArrival": "\(testDay(4))", "expectedDeparture": "\(testDay(0))"]),
                    "expectedDeparture", 422
                ),
                (.post, "/placements/\(world.placement)/allocations", json(["bedId": "bed-one"]), "bedId", 400),
                (
                    .post, "/beds/\(world.bed)/out-of-service",
                    json(["start": "\(testDay(0))", "end": "\(testDay(4))", "reason": "BORED"]), "reason", 422
                ),
                (.patch, "/premises/\(world.elm)", json(["curfewStart": "25:00"]), "curfewStart", 400),
                (.patch, "/premises/\(world.elm)", json(["characteristics": ["hasMoat"]]), "characteristics", 422),
            ]
            // 400 for a rule the document states, 422 for one only the service can judge (an unknown code, dates out of order).
            for (method, uri, payload, field, status) in cases {
                let response = try await client.execute(
                    uri: uri, method: method, headers: world.headers("manager", [HTTPField.Name("If-Match")!: "\"1\""]), body: payload)
                #expect(Int(response.status.code) == status, "\(uri): \(response.status) \(response.text)")
                #expect(try response.problemFields().contains(field), "\(uri): \(response.text)")
            }
        }
    }
}
