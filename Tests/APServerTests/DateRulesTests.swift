import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Dates and text that cannot be true are refused at the door, naming the field and the rule,
/// and nothing of them is stored (issue 14's "Found" list, the dates part).
@Suite("Dates and text checked at the door", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct DateRulesTests {
    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }

    /// Sends a request and expects a 400 naming `field` with `rule`.
    static func refused(
        _ client: any TestClientProtocol, _ world: TestWorld, _ method: HTTPRequest.Method, _ uri: String,
        _ body: [String: Any]?, field: String, rule: String, as user: String = "manager"
    ) async throws {
        let response = try await client.execute(uri: uri, method: method, headers: world.headers(user), body: body.map(json))
        // A rule the document states (a format, a type, a real date) is 400; one only the service can judge is 422.
        let expected: HTTPResponse.Status = ["dateTime", "date", "type", "format"].contains(rule) ? .badRequest : .unprocessableContent
        #expect(response.status == expected, "\(method) \(uri) \(body ?? [:]): \(response.status) \(response.text)")
        let errors = (try response.json()["errors"] as? [[String: Any]]) ?? []
        #expect(
            errors.contains { $0["field"] as? String == field && $0["rule"] as? String == rule },
            "\(uri): wanted \(field)/\(rule), got \(response.text)")
    }

    @Test("arrivals and departures: no 30 February, no year 1 or 9999, none in the future, no arrival long before its booking")
    func arrivalsAndDepartures() async throws {
        try await withApp { client, world in
            let arrival = "/placements/\(world.placement)/arrival"
            for (text, rule) in [
                ("2026-02-30T10:00:00Z", "dateTime"), ("0001-01-01T00:00:00Z", "years"), ("9999-12-31T23:59:59Z", "years"),
                ("\(testDay(0)) 10:00", "dateTime"), ("\(testDay(0))T24:00:00Z", "dateTime"),
                (Self.iso(Date().addingTimeInterval(86_400)), "future"),
                ("2016-12-01T10:00:00Z", "window"),
            ] {
                try await Self.refused(client, world, .post, arrival, ["arrivedAt": text], field: "arrivedAt", rule: rule)
            }
            let still = try await world.pool.query("SELECT arrived_at IS NULL AS upcoming FROM placement WHERE id = \(world.placement)")
            #expect(try still.first!.decode("upcoming", as: Bool.self), "a refused arrival left something behind")

            let arrived = try await client.execute(
                uri: arrival, method: .post, headers: world.headers("manager"),
                body: json(["arrivedAt": Self.iso(Date().addingTimeInterval(-600))]))
            #expect(arrived.status == .ok, "\(arrived.text)")
            let departure = "/placements/\(world.placement)/departure"
            for (text, rule) in [
                ("9999-12-31T23:59:59Z", "years"), (Self.iso(Date().addingTimeInterval(86_400)), "future"),
                ("2026-11-31T09:00:00Z", "dateTime"),
            ] {
                try await Self.refused(
                    client, world, .post, departure, ["departedAt": text, "reason": "O", "moveOnCategory": "MC04"],
                    field: "departedAt", rule: rule)
            }
            let resident = try await world.pool.query("SELECT departed_at IS NULL AS here FROM placement WHERE id = \(world.placement)")
            #expect(try resident.first!.decode("here", as: Bool.self), "a refused departure was recorded")
        }
    }

    @Test("an arrival more than 7 days early is an AP manager's to record, with the reason; a reason where none is needed is refused")
    func earlyArrival() async throws {
        try await withApp { client, world in
            // The placement is expected on 2026-12-01.
            let arrival = "/placements/\(world.placement)/arrival"
            let early = "\(testDay(-11))T10:00:00Z"
            let unexplained = try await client.execute(
                uri: arrival, method: .post, headers: world.headers("manager"), body: json(["arrivedAt": early]))
            #expect(unexplained.status == .unprocessableContent && unexplained.text.contains("earlyArrivalReason"), "\(unexplained.text)")
            try await Self.refused(
                client, world, .post, arrival,
                ["arrivedAt": Self.iso(Date().addingTimeInterval(-600)), "earlyArrivalReason": "released early"],
                field: "earlyArrivalReason", rule: "notNeeded")
            try await Self.refused(
                client, world, .post, arrival, ["arrivedAt": early, "earlyArrivalReason": "   "],
                field: "earlyArrivalReason", rule: "reason")
            let byWorker = try await client.execute(
                uri: arrival, method: .post, headers: world.headers("night"),
                body: json(["arrivedAt": early, "earlyArrivalReason": "released early"]))
            #expect(byWorker.status == .forbidden, "\(byWorker.status) \(byWorker.text)")
            let still = try await world.pool.query("SELECT arrived_at IS NULL AS upcoming FROM placement WHERE id = \(world.placement)")
            #expect(try still.first!.decode("upcoming", as: Bool.self), "a refused arrival left something behind")

            let arrived = try await client.execute(
                uri: arrival, method: .post, headers: world.headers("manager"),
                body: json(["arrivedAt": early, "earlyArrivalReason": "released early by the court"]))
            #expect(arrived.status == .ok, "\(arrived.text)")
            #expect(try arrived.json()["arrivalDate"] as? String == "\(testDay(-11))")
            #expect(try arrived.json()["earlyArrivalReason"] as? String == "released early by the court")
            let audited: Int = try await world.pool.query(
                """
                SELECT count(*)::int AS n FROM audit_event WHERE action = 'placement.arrive' AND after->>'earlyArrivalReason' = 'released early by the court'
                """
            ).first!.decode("n")
            #expect(audited == 1)
        }
    }

    @Test("dates in queries, incidents, NUL in text: each a 400 naming the field, never a 500")
    func queriesIncidentsAndText() async throws {
        try await withApp { client, world in
            try await Self.refused(
                client, world, .get, "/premises/\(world.elm)/night-checks?night=0001-01-01", nil, field: "night", rule: "years")
            try await Self.refused(
                client, world, .get, "/premises/\(world.elm)/bed-board?from=0001-01-01", nil, field: "from", rule: "years")
            try await Self.refused(
                client, world, .get, "/premises/\(world.elm)/bed-board?from=2026-02-30", nil, field: "from", rule: "date")
            try await Self.refused(
                client, world, .get, "/premises/\(world.elm)/incidents?since=2026-02-30T00:00:00Z", nil, field: "since", rule: "dateTime")
            let incident: [String: Any] = [
                "kind": "damage", "severity": "low", "location": "kitchen", "summary": "door", "actionTaken": "fixed",
            ]
            // Digits of other scripts are not digits here (a regular expression's \d would take them).
            for (text, rule) in [
                ("2026-02-30T10:00:00Z", "dateTime"), ("0001-01-01T00:00:00Z", "years"),
                ("٢٠٢٦-١٢-٠١T10:00:00Z", "dateTime"), ("２０２６-１２-０１T10:00:00Z", "dateTime"),
            ] {
                try await Self.refused(
                    client, world, .post, "/premises/\(world.elm)/incidents", incident.merging(["occurredAt": text]) { $1 },
                    field: "occurredAt", rule: rule)
            }
            try await Self.refused(client, world, .post, "/rooms/\(world.room)/beds", ["label": "A\u{0}B"], field: "label", rule: "noNul")
            // No field is declared nullable: null is refused, not read as left out (found by the fuzzer).
            try await Self.refused(
                client, world, .post, "/premises/\(world.elm)/incidents",
                incident.merging(["occurredAt": Self.iso(Date()), "told": NSNull()]) { $1 }, field: "told", rule: "type")
            try await Self.refused(
                client, world, .post, "/premises/\(world.elm)/incidents",
                incident.merging(["occurredAt": Self.iso(Date()), "summary": "x\u{0}"]) { $1 }, field: "summary", rule: "noNul")
            // Query pairs with no name ("=", "=x", "&&") crashed the service (found by the fuzzer): now
            // they are ignored, or refused as unreadable, never a crash.
            for query in ["=", "=x", "&&=&", "a=1&=&b"] {
                let odd = try await client.execute(
                    uri: "/premises/\(world.elm)/key-work/due?\(query)", method: .get, headers: world.headers("manager"))
                #expect([200, 400].contains(odd.status.code), "?\(query): \(odd.status) \(odd.text)")
            }
            let incidents = try await world.pool.query("SELECT count(*) AS n FROM incident").first!.decode("n", as: Int.self)
            let beds = try await world.pool.query("SELECT count(*) AS n FROM bed").first!.decode("n", as: Int.self)
            #expect(incidents == 0 && beds == 1)
        }
    }

    @Test(
        "RFC 3339 times with fractions of a second are taken (as JavaScript's toISOString sends them); a bad value in valid JSON names its field"
    )
    func fractionalSeconds() async throws {
        try await withApp { client, world in
            let arrivedAt = Date().addingTimeInterval(-7_200)
            let arrival = try await client.execute(
                uri: "/placements/\(world.placement)/arrival", method: .post, headers: world.headers("manager"),
                body: json(["arrivedAt": String(arrivedAt.formatted(.iso8601).dropLast()) + ".5Z"]))
            #expect(arrival.status == .ok, "\(arrival.text)")
            // 14:20:01.123Z as toISOString writes it, and the same with an offset and microseconds.
            let out = Date().addingTimeInterval(-3_600)
            let outText = String(out.formatted(.iso8601).dropLast()) + ".123Z"
            let signedOut = try await client.execute(
                uri: "/placements/\(world.placement)/movements", method: .post, headers: world.headers("night"),
                body: json(["kind": "out", "occurredAt": outText]))
            #expect(signedOut.status == .created, "\(signedOut.text)")
            let stored: Double = try await world.pool.query(
                "SELECT extract(epoch FROM occurred_at)::float8 AS at FROM movement WHERE placement_id = \(world.placement)"
            ).first!.decode("at")
            #expect(abs(stored - (floor(out.timeIntervalSince1970) + 0.123)) < 0.001, "stored \(stored)")
            let incident: [String: Any] = [
                "kind": "damage", "severity": "low", "location": "kitchen", "summary": "door", "actionTaken": "fixed",
                "occurredAt": "\(testDay(0))T14:20:01.123456+01:00",
            ]
            let recorded = try await client.execute(
                uri: "/premises/\(world.elm)/incidents", method: .post, headers: world.headers("night"), body: json(incident))
            #expect(recorded.status == .created, "\(recorded.text)")
            #expect(try recorded.json()["occurredAt"] as? String == "\(testDay(0))T13:20:01Z")
            // Valid JSON, a value of the wrong kind: the field and the rule, not "not valid JSON".
            try await Self.refused(
                client, world, .post, "/placements/\(world.placement)/movements", ["kind": "in", "occurredAt": 12],
                field: "occurredAt", rule: "type", as: "night")
            try await Self.refused(
                client, world, .post, "/placements/\(world.placement)/movements", ["kind": "in", "occurredAt": "\(testDay(0))T14:20:01.Z"],
                field: "occurredAt", rule: "dateTime", as: "night")
        }
    }

    @Test("curfew variations inside the stay with a window of some length; key-work dates within the horizon; move-on dates real")
    func variationsKeyWorkAndMoveOn() async throws {
        try await withApp { client, world in
            let arrived = try await client.execute(
                uri: "/placements/\(world.placement)/arrival", method: .post, headers: world.headers("manager"),
                body: json(["arrivedAt": Self.iso(Date().addingTimeInterval(-600))]))
            #expect(arrived.status == .ok, "\(arrived.text)")
            let variations = "/placements/\(world.placement)/curfew-variations"
            let variation: [String: Any] = [
                "from": "\(testDay(1))", "to": "\(testDay(3))", "reason": "night shifts", "approvedBy": "M. Manager",
            ]
            try await Self.refused(
                client, world, .post, variations, variation.merging(["start": "07:00", "end": "07:00"]) { $1 }, field: "end", rule: "window"
            )
            try await Self.refused(
                client, world, .post, variations, variation.merging(["from": "\(testDay(-11))", "start": "07:30", "end": "15:00"]) { $1 },
                field: "from", rule: "stay")
            try await Self.refused(
                client, world, .post, variations, variation.merging(["to": "\(testDay(90))", "start": "07:30", "end": "15:00"]) { $1 },
                field: "to", rule: "stay")

            let sessions = "/placements/\(world.placement)/key-work-sessions"
            let session: [String: Any] = [
                "heldAt": Self.iso(Date().addingTimeInterval(-300)), "durationMinutes": 30, "kind": "one_to_one", "notes": "fine",
            ]
            func action(_ due: String) -> [String: Any] {
                session.merging(["actions": [["action": "payslip", "owner": "resident", "dueOn": due]]]) { $1 }
            }
            try await Self.refused(
                client, world, .post, sessions, action("9999-01-01"), field: "actions[0].dueOn", rule: "years", as: "manager")
            try await Self.refused(
                client, world, .post, sessions, action("2026-02-30"), field: "actions[0].dueOn", rule: "date", as: "manager")
            try await Self.refused(
                client, world, .post, sessions, action("2026-01-01"), field: "actions[0].dueOn", rule: "horizon", as: "manager")
            try await Self.refused(
                client, world, .post, sessions, session.merging(["nextSessionOn": "2030-01-01"]) { $1 },
                field: "nextSessionOn", rule: "horizon", as: "manager")
            let stored = try await world.pool.query("SELECT count(*) AS n FROM key_work_session").first!.decode("n", as: Int.self)
            #expect(stored == 0)

            let plan = try await client.execute(
                uri: "/placements/\(world.placement)/move-on/pathways", method: .post, headers: world.headers("manager"),
                body: json(["kind": "family", "detail": "sister"]))
            #expect(plan.status == .ok || plan.status == .created, "\(plan.text)")
            let pathway = try #require(((try plan.json()["pathways"] as? [[String: Any]])?.first?["id"]) as? String)
            try await Self.refused(
                client, world, .post, "/move-on-pathways/\(pathway)/updates", ["status": "applied", "on": "0001-01-01"],
                field: "on", rule: "years")
            try await Self.refused(
                client, world, .post, "/placements/\(world.placement)/move-on/address", ["address": "1 Road", "confirmedOn": "2099-01-01"],
                field: "confirmedOn", rule: "future")
        }
    }

    @Test("the key worker given at arrival passes the key-worker rule: an active key worker or manager of this premises")
    func keyWorkerAtArrival() async throws {
        try await withApp { client, world in
            let arrival = "/placements/\(world.placement)/arrival"
            let now = Self.iso(Date().addingTimeInterval(-600))
            for someone in ["oak.manager", "night", "admin"] {
                try await Self.refused(
                    client, world, .post, arrival, ["arrivedAt": now, "keyWorkerId": world.staff[someone]!.id.uuidString],
                    field: "keyWorkerId", rule: "keyWorker")
            }
            let arrived = try await client.execute(
                uri: arrival, method: .post, headers: world.headers("manager"),
                body: json(["arrivedAt": now, "keyWorkerId": world.staff["keyworker"]!.id.uuidString]))
            #expect(arrived.status == .ok, "\(arrived.text)")
        }
    }

    @Test("a method an address does not take is 405 with Allow; an address the API does not have is 404")
    func wrongMethod() async throws {
        try await withApp { client, world in
            let premises = try await client.execute(uri: "/premises/\(world.elm)", method: .delete, headers: world.headers("admin"))
            #expect(
                premises.status == .methodNotAllowed && premises.headers[.allow] == "GET, PATCH", "\(premises.status) \(premises.headers)")
            #expect(premises.headers[.contentType] == "application/problem+json")
            let signIn = try await client.execute(uri: "/auth/sign-in", method: .get, headers: world.headers(nil))
            #expect(signIn.status == .methodNotAllowed && signIn.headers[.allow] == "POST")
            let nowhere = try await client.execute(uri: "/premises/\(world.elm)/nowhere", method: .get, headers: world.headers("admin"))
            #expect(nowhere.status == .notFound)
            // A body too large to read is 413, not a failure of ours.
            let huge = try await client.execute(
                uri: "/premises/\(world.elm)", method: .patch,
                headers: world.headers("admin", [HTTPField.Name("If-Match")!: "\"1\""]),
                body: json(["localRestrictions": String(repeating: "x", count: 2 << 20)]))
            #expect(huge.status == .contentTooLarge, "\(huge.status) \(huge.text.prefix(200))")
        }
    }
}
