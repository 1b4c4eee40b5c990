import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import TestSupport
import Testing

@testable import APServer

@Suite("Night operations over HTTP", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct NightAPITests {
    @Test("a resident signed out shows as out on tonight's list; signing out twice is a 409; the log verifies")
    func signOutAndIn() async throws {
        try await withApp { client, world in
            // Sam Jones, booked for 1 December, arrived that day (the variation below starts then).
            let arrived = try await client.execute(
                uri: "/placements/\(world.placement)/arrival", method: .post, headers: world.headers("night"),
                body: json(["arrivedAt": "\(testDay(0))T10:00:00Z"]))
            #expect(arrived.status == .ok, "\(arrived.text)")
            let out = try await client.execute(
                uri: "/placements/\(world.placement)/movements", method: .post, headers: world.headers("night"),
                body: json(["kind": "out", "destination": "shop"]))
            #expect(out.status == .created, "\(out.text)")
            let twice = try await client.execute(
                uri: "/placements/\(world.placement)/movements", method: .post, headers: world.headers("night"), body: json(["kind": "out"])
            )
            #expect(twice.status == .conflict)
            let tonight = try await client.execute(uri: "/premises/\(world.elm)/tonight", method: .get, headers: world.headers("night"))
            let residents = try JSONSerialization.jsonObject(with: Data(buffer: tonight.body)) as? [[String: Any]] ?? []
            #expect(residents.count == 1)
            #expect(["out", "late", "due_back_soon"].contains(residents.first?["state"] as? String))
            let verified = try await client.execute(
                uri: "/premises/\(world.elm)/log-verification", method: .get, headers: world.headers("manager"))
            let logs = try verified.json()["logs"] as? [[String: Any]] ?? []
            #expect(logs.first { $0["log"] as? String == "curfew_log" }?["entries"] as? Int == 1)
            #expect((try verified.json()["problems"] as? [Any])?.isEmpty == true)
            let variation = try await client.execute(
                uri: "/placements/\(world.placement)/curfew-variations", method: .post, headers: world.headers("manager"),
                body: json([
                    "from": "\(testDay(0))", "to": "\(testDay(4))", "start": "07:30", "end": "15:00", "reason": "night shifts at the depot",
                    "approvedBy": "Morgan Manager, payslips seen",
                ]))
            #expect(variation.status == .created, "\(variation.text)")
            let overlapping = try await client.execute(
                uri: "/placements/\(world.placement)/curfew-variations", method: .post, headers: world.headers("manager"),
                body: json(["from": "\(testDay(3))", "to": "\(testDay(5))", "reason": "lifted", "approvedBy": "Morgan Manager"]))
            #expect(overlapping.status == .conflict)
            let halfHours = try await client.execute(
                uri: "/placements/\(world.placement)/curfew-variations", method: .post, headers: world.headers("manager"),
                body: json(["from": "\(testDay(9))", "to": "\(testDay(10))", "start": "07:30", "reason": "x", "approvedBy": "y"]))
            #expect(try halfHours.problemFields() == ["end"])
            let bad = try await client.execute(
                uri: "/placements/\(world.placement)/movements", method: .post, headers: world.headers("night"),
                body: json(["kind": "sideways"]))
            #expect(bad.status == .badRequest)
        }
    }

    @Test("bad input to night checks, incidents and breaches is a 4xx naming the field, never a 500")
    func badInput() async throws {
        try await withApp { client, world in
            let arrived = try await client.execute(
                uri: "/placements/\(world.placement)/arrival", method: .post, headers: world.headers("night"),
                body: json(["arrivedAt": ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3600))]))
            #expect(arrived.status == .ok, "\(arrived.text)")
            let incident = try await client.execute(
                uri: "/premises/\(world.elm)/incidents", method: .post, headers: world.headers("night"),
                body: json([
                    "kind": "damage", "severity": "low", "occurredAt": "\(testDay(-30))T10:00:00Z", "location": "", "summary": "x",
                    "actionTaken": "y", "residents": ["not-a-uuid"],
                ]))
            #expect(incident.status == .badRequest, "\(incident.text)")
            #expect(try incident.problemFields().contains("residents[0]"), "\(incident.text)")
            // Values outside the document's enums are all named at once, with the values they take.
            let incidentFields = try await client.execute(
                uri: "/premises/\(world.elm)/incidents", method: .post, headers: world.headers("night"),
                body: json([
                    "kind": "fight", "severity": "bad", "occurredAt": "\(testDay(-30))T10:00:00Z", "location": "", "summary": "x",
                    "actionTaken": "y",
                ]))
            #expect(Set(try incidentFields.problemFields()) == ["kind", "severity"], "\(incidentFields.text)")
            #expect(
                incidentFields.text.contains("severity must be one of low, medium, high, critical; not 'bad'"), "\(incidentFields.text)")
            let emptyPlace = try await client.execute(
                uri: "/premises/\(world.elm)/incidents", method: .post, headers: world.headers("night"),
                body: json([
                    "kind": "damage", "severity": "low", "occurredAt": "\(testDay(-30))T10:00:00Z", "location": "", "summary": "x",
                    "actionTaken": "y",
                ]))
            #expect(Set(try emptyPlace.problemFields()) == ["location"], "\(emptyPlace.text)")
            let missingField = try await client.execute(
                uri: "/premises/\(world.elm)/incidents", method: .post, headers: world.headers("night"), body: json(["kind": "other"]))
            #expect(missingField.status == .badRequest, "\(missingField.text)")

            let round = try await client.execute(
                uri: "/premises/\(world.elm)/night-checks", method: .post, headers: world.headers("night"),
                body: json([
                    "dueAt": "\(testDay(-30))T03:17:00Z",
                    "observations": [["placementId": world.placement.uuidString, "observation": "asleep"]],
                ]))
            #expect(round.status == .badRequest, "\(round.text)")
            #expect(try round.problemFields() == ["observations[0].observation"], "\(round.text)")
            let offSchedule = try await client.execute(
                uri: "/premises/\(world.elm)/night-checks", method: .post, headers: world.headers("night"),
                body: json([
                    "dueAt": "\(testDay(-30))T03:17:00Z",
                    "observations": [["placementId": world.placement.uuidString, "observation": "seen"]],
                ]))
            #expect(try offSchedule.problemFields() == ["dueAt"], "\(offSchedule.text)")
            let night = try await client.execute(
                uri: "/premises/\(world.elm)/night-checks?night=yesterday", method: .get, headers: world.headers("night"))
            #expect(try night.problemFields() == ["night"], "\(night.text)")

            let escalation = try await client.execute(
                uri: "/curfew-breaches/\(UUID())/escalation", method: .post, headers: world.headers("night"),
                body: json(["ppInformed": true]))
            #expect(escalation.status == .notFound, "\(escalation.text)")
            let nobody = try await client.execute(
                uri: "/curfew-breaches/\(UUID())/escalation", method: .post, headers: world.headers("night"), body: json([:]))
            #expect(try nobody.problemFields() == ["ppInformed"], "\(nobody.text)")
            let outcome = try await client.execute(
                uri: "/curfew-breaches/\(UUID())/outcome", method: .post, headers: world.headers("manager"),
                body: json(["outcome": "shrug"]))
            #expect(try outcome.problemFields() == ["outcome"], "\(outcome.text)")
            let amend = try await client.execute(
                uri: "/incidents/999999/amendments", method: .post, headers: world.headers("night"),
                body: json([
                    "reason": "typo",
                    "incident": [
                        "kind": "other", "severity": "low", "occurredAt": "\(testDay(-30))T10:00:00Z",
                        "location": "hall", "summary": "x", "actionTaken": "y",
                    ],
                ]))
            #expect(amend.status == .notFound, "\(amend.text)")
        }
    }

    /// A clock a test sets: the service's now.
    final class SetClock: Sendable {
        private let now: Mutex<Date>
        init(_ start: Date) { now = Mutex(start) }
        func set(_ date: Date) { now.withLock { $0 = date } }
        func read() -> Date { now.withLock { $0 } }
    }

    @Test(
        "the nights the clocks change, lived through the service: the job opens both breaches at 23:00; a live sign-in and one typed up next morning close theirs with the real minutes",
        arguments: [
            // 28-29 March 2026: clocks forward at 01:00 GMT; 23:00 is 23:00 UTC, the night seven hours long.
            ("2026-03-20", "2026-04-10", "2026-03-28T23:00:00Z", "2026-03-29T01:30:00Z", 150),
            // 24-25 October 2026: clocks back at 02:00 BST; 23:00 is 22:00 UTC, the night nine hours long.
            ("2026-10-20", "2026-11-10", "2026-10-24T22:00:00Z", "2026-10-25T01:30:00Z", 210),
        ])
    func clockChangeNights(from: String, to: String, curfew: String, typedUp: String, typedUpMinutes: Int) async throws {
        let start = try Date(curfew, strategy: .iso8601)
        let clock = SetClock(start.addingTimeInterval(-3 * 3600))
        let now: ServiceClock = { clock.read() }
        try await withApp(clock: now) { client, world in
            let admin = try await world.fixtures.signIn("admin").principal
            let referrals = try await world.fixtures.signIn("referrals").principal
            let placements = PlacementStore(pool: world.pool)
            var people = [UUID]()
            for crn in ["D000001", "D000002"] {
                let booked = try await placements.book(
                    NewPlacement(
                        premisesID: world.elm, crn: crn, personName: "Person \(crn)",
                        expectedArrival: CalendarDate(from)!, expectedDeparture: CalendarDate(to)!,
                        overbookingReason: "test: the clock-change nights"), by: referrals)
                let noon = try Date("\(from)T12:00:00Z", strategy: .iso8601)
                people.append(
                    try await placements.arrive(booked.id, at: noon, keyWorkerID: nil, expectedVersion: nil, by: admin, now: noon).id)
            }
            let (live, late) = (people[0], people[1])
            // Both go out at 20:00 (the clock's now), recorded at the time.
            for person in people {
                let out = try await client.execute(
                    uri: "/placements/\(person)/movements", method: .post, headers: world.headers("night"),
                    body: json(["kind": "out"]))
                #expect(out.status == .created, "\(out.text)")
            }
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let job = BreachJob(pool: world.pool, interval: .seconds(60), status: JobStatus(), clock: { clock.read() }, logger: logger)
            clock.set(start.addingTimeInterval(-30))
            #expect(try await job.pass() == 0, "no breach before 23:00")
            clock.set(start.addingTimeInterval(30))
            #expect(try await job.pass() == 2, "the job opens both at 23:00")
            let tonight = try await client.execute(uri: "/premises/\(world.elm)/tonight", method: .get, headers: world.headers("night"))
            let states = (try JSONSerialization.jsonObject(with: Data(buffer: tonight.body)) as? [[String: Any]]) ?? []
            #expect(
                states.filter { people.map { $0.uuidString.lowercased() }.contains($0["placementId"] as? String ?? "") }.map {
                    $0["state"] as? String
                }
                    == ["late", "late"], "\(tonight.text)")

            // One is signed in live at 23:30 on the premises' clock (no time sent: the service's now).
            clock.set(start.addingTimeInterval(30 * 60))
            let back = try await client.execute(
                uri: "/placements/\(live)/movements", method: .post, headers: world.headers("night"), body: json(["kind": "in"]))
            #expect(back.status == .created, "\(back.text)")
            // The other's sign-in at 01:30 UTC (across the change) is typed up at 08:00.
            clock.set(start.addingTimeInterval(9 * 3600))
            let typed = try await client.execute(
                uri: "/placements/\(late)/movements", method: .post, headers: world.headers("manager"),
                body: json(["kind": "in", "occurredAt": typedUp]))
            #expect(typed.status == .created, "\(typed.text)")
            for (person, minutes) in [(live, 30), (late, typedUpMinutes)] {
                let answer = try await client.execute(
                    uri: "/placements/\(person)/curfew-breaches", method: .get, headers: world.headers("manager"))
                let breaches = (try JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [[String: Any]]) ?? []
                #expect(breaches.count == 1, "\(answer.text)")
                #expect(breaches.first?["minutesLate"] as? Int == minutes, "\(answer.text)")
                #expect(breaches.first?["windowStart"] as? String == curfew, "\(answer.text)")
                #expect(breaches.first?["state"] as? String == "closed", "\(answer.text)")
            }
        }
    }
}
