import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@testable import APServer

/// What the day staff's pages added to the API: agreed actions dropped or moved, beds retired
/// from a night (and the database's own guard), a premises' sign-out log between two times,
/// incidents filtered, and a referral entered by the referral unit on a practitioner's behalf.
@Suite("The day's work through the API", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct DayWorkAPITests {
    /// A resident at Elm who arrived five days ago, with a session holding two agreed actions.
    static func resident(_ world: TestWorld) async throws -> (placement: UUID, actions: [UUID]) {
        let admin = try await world.fixtures.signIn("admin").principal
        // Elm's one bed is booked from today: a second bed makes room.
        _ = try await RoomStore(pool: world.pool).addBed(
            roomID: world.room, label: "2", inUseFrom: testDay(-30), inUseUntil: nil, by: admin)
        let placement = try await PlacementStore(pool: world.pool).book(
            NewPlacement(
                premisesID: world.elm, crn: "D000001", personName: "Dee Wells", expectedArrival: testDay(-5), expectedDeparture: testDay(40)
            ),
            by: admin)
        _ = try await PlacementStore(pool: world.pool).arrive(
            placement.id, at: Date().addingTimeInterval(-5 * 86_400), keyWorkerID: nil, expectedVersion: nil, by: admin)
        let session = try await KeyWorkStore(pool: world.pool).record(
            placement.id,
            .init(
                heldAt: Date().addingTimeInterval(-3600), durationMinutes: 30, kind: "one_to_one", notes: "Housing",
                actions: [("Call the council", "resident", testDay(2)), ("Book a GP", "key worker", testDay(3))]), by: admin)
        return (placement.id, session.actions.map(\.id))
    }

    @Test("an agreed action is dropped with a reason or moved to a new date, once; the record says which")
    func actions() async throws {
        try await withApp { client, world in
            let (placement, actions) = try await Self.resident(world)
            let blank = try await client.execute(
                uri: "/key-work-actions/\(actions[0])/drop", method: .post, headers: world.headers("keyworker"), body: json(["reason": " "])
            )
            #expect(blank.status == .unprocessableContent)
            #expect(blank.text.contains("\"field\":\"reason\""))
            let dropped = try await client.execute(
                uri: "/key-work-actions/\(actions[0])/drop", method: .post, headers: world.headers("keyworker"),
                body: json(["reason": "The council called first"]))
            #expect(dropped.status == .ok)
            #expect(try dropped.json()["outcome"] as? String == "dropped")
            let again = try await client.execute(
                uri: "/key-work-actions/\(actions[0])/completion", method: .post, headers: world.headers("keyworker"))
            #expect(again.status == .conflict)
            #expect(again.text.contains("marked dropped"))

            let tooFar = try await client.execute(
                uri: "/key-work-actions/\(actions[1])/move", method: .post, headers: world.headers("keyworker"),
                body: json(["dueOn": testDay(400).description]))
            #expect(tooFar.status == .unprocessableContent)
            #expect(tooFar.text.contains("\"rule\":\"horizon\""))
            let moved = try await client.execute(
                uri: "/key-work-actions/\(actions[1])/move", method: .post, headers: world.headers("keyworker"),
                body: json(["dueOn": testDay(9).description, "reason": "No appointments this week"]))
            #expect(moved.status == .ok)
            let new = try moved.json()
            #expect(new["dueOn"] as? String == testDay(9).description)
            #expect(new["outcome"] == nil)
            let sessions = try await KeyWorkStore(pool: world.pool).sessions(
                placement, by: try await world.fixtures.signIn("admin").principal)
            let all = sessions[0].actions
            #expect(all.count == 3)
            #expect(all.first { $0.id == actions[1] }?.outcome == .moved)
            #expect(all.first { $0.id == actions[1] }?.movedTo?.uuidString.lowercased() == new["id"] as? String)
            let record = try await client.execute(uri: "/placements/\(placement)/record", method: .get, headers: world.headers("keyworker"))
            #expect(record.text.contains("Action dropped: Call the council"))
            #expect(record.text.contains("Action moved: Book a GP"))

            // The night shift reads key work but does not record it.
            let night = try await client.execute(
                uri: "/key-work-actions/\(new["id"] as! String)/drop", method: .post, headers: world.headers("night"),
                body: json(["reason": "No"]))
            #expect(night.status == .forbidden)
        }
    }

    @Test("a bed retired from a night leaves the board from then; refused naming whoever has it, and by the database too")
    func retire() async throws {
        try await withApp { client, world in
            let admin = try await world.fixtures.signIn("admin").principal
            _ = try await PlacementStore(pool: world.pool).allocate(world.placement, bedID: world.bed, from: nil, by: admin)
            let allocated = try await client.execute(
                uri: "/beds/\(world.bed)/retirement", method: .post, headers: world.headers("manager"),
                body: json(["from": testDay(4).description]))
            #expect(allocated.status == .conflict)
            #expect(allocated.text.contains("Sam Jones"))
            #expect(allocated.text.contains("\"rule\":\"allocated\""))
            let past = try await client.execute(
                uri: "/beds/\(world.bed)/retirement", method: .post, headers: world.headers("manager"),
                body: json(["from": testDay(-1).description]))
            #expect(past.status == .unprocessableContent)
            #expect(past.text.contains("\"rule\":\"past\""))
            let night = try await client.execute(
                uri: "/beds/\(world.bed)/retirement", method: .post, headers: world.headers("night"),
                body: json(["from": testDay(20).description]))
            #expect(night.status == .forbidden)
            let other = try await client.execute(
                uri: "/beds/\(world.bed)/retirement", method: .post, headers: world.headers("oak.manager"),
                body: json(["from": testDay(20).description]))
            #expect([.forbidden, .notFound].contains(other.status))

            let retired = try await client.execute(
                uri: "/beds/\(world.bed)/retirement", method: .post, headers: world.headers("manager"),
                body: json(["from": testDay(20).description]))
            #expect(retired.status == .ok)
            #expect(try retired.json()["inUseUntil"] as? String == testDay(20).description)
            let board = try await BedBoardStore(pool: world.pool).board(
                premisesID: world.elm, nights: Nights(first: testDay(18), end: testDay(22)), by: admin)
            let row = try #require(board.beds.first { $0.bedID == world.bed })
            #expect(row.nights.map(\.state) == [.free, .free, .notInUse, .notInUse])

            // The database keeps it too, whatever writes the row.
            await #expect(throws: (any Error).self) {
                try await world.pool.execute(
                    "UPDATE bed SET in_use = daterange(lower(in_use), \(testDay(2))::date) WHERE id = \(world.bed)")
            }
            let count = try await world.pool.query("SELECT count(*)::integer AS n FROM audit_event WHERE action = 'bed.retire'").first?
                .decode("n", as: Int.self)
            #expect(count == 1)
        }
    }

    @Test("a premises' sign-outs and sign-ins between two times, with the resident's name; a range longer than a week is refused")
    func nightLog() async throws {
        try await withApp { client, world in
            let (placement, _) = try await Self.resident(world)
            let admin = try await world.fixtures.signIn("admin").principal
            let out = Date().addingTimeInterval(-2 * 3600)
            _ = try await CurfewStore(pool: world.pool).record(
                placement, .init(kind: "out", occurredAt: out, destination: "Shops"), by: admin)
            _ = try await CurfewStore(pool: world.pool).record(
                placement, .init(kind: "in", occurredAt: out.addingTimeInterval(1800)), by: admin)
            func iso(_ date: Date) -> String { date.formatted(.iso8601) }
            let from = Date().addingTimeInterval(-86_400)
            let log = try await client.execute(
                uri: "/premises/\(world.elm)/movements?from=\(iso(from))&to=\(iso(Date().addingTimeInterval(60)))", method: .get,
                headers: world.headers("night"))
            #expect(log.status == .ok)
            let entries = try JSONSerialization.jsonObject(with: Data(buffer: log.body)) as? [[String: Any]] ?? []
            #expect(entries.count == 2)
            #expect(entries.first?["personName"] as? String == "Dee Wells")
            #expect((entries.first?["entry"] as? [String: Any])?["kind"] as? String == "out")
            let long = try await client.execute(
                uri: "/premises/\(world.elm)/movements?from=\(iso(from.addingTimeInterval(-10 * 86_400)))&to=\(iso(Date()))", method: .get,
                headers: world.headers("night"))
            #expect(long.status == .unprocessableContent)
            let oak = try await client.execute(
                uri: "/premises/\(world.elm)/movements?from=\(iso(from))&to=\(iso(Date()))", method: .get,
                headers: world.headers("oak.manager"))
            #expect([.forbidden, .notFound].contains(oak.status))
        }
    }

    @Test("incidents filtered by kind and severity; a kind that is not one is refused naming it; another AP's are not read")
    func incidents() async throws {
        try await withApp { client, world in
            let admin = try await world.fixtures.signIn("admin").principal
            let store = IncidentStore(pool: world.pool)
            for (kind, severity) in [("damage", "low"), ("self_harm", "high")] {
                _ = try await store.record(
                    premisesID: world.elm,
                    .init(
                        kind: kind, severity: severity, occurredAt: Date().addingTimeInterval(-600), location: "Lounge", summary: kind,
                        actionTaken: "Recorded"), by: admin)
            }
            let damage = try await client.execute(
                uri: "/premises/\(world.elm)/incidents?kind=damage", method: .get, headers: world.headers("night"))
            #expect(damage.status == .ok)
            #expect(damage.text.contains("\"damage\"") && !damage.text.contains("self_harm"))
            let high = try await client.execute(
                uri: "/premises/\(world.elm)/incidents?severity=high", method: .get, headers: world.headers("night"))
            #expect(high.text.contains("self_harm") && !high.text.contains("\"damage\""))
            let unknown = try await client.execute(
                uri: "/premises/\(world.elm)/incidents?kind=fire", method: .get, headers: world.headers("night"))
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.text.contains("\"field\":\"kind\""))
            let other = try await client.execute(
                uri: "/premises/\(world.elm)/incidents", method: .get, headers: world.headers("oak.manager"))
            #expect([.forbidden, .notFound].contains(other.status))
        }
    }

    @Test("the referral unit submits a draft for a practitioner named by user name: the referral is theirs; a practitioner cannot")
    func onBehalf() async throws {
        try await withApp { client, world in
            let started = try await client.execute(uri: "/referral-drafts", method: .post, headers: world.headers("referrals"))
            #expect(started.status == .created)
            let draft = try #require(try started.json()["id"] as? String)
            let answers: [String: [String: Any]] = [
                "person": ["crn": "Q123456", "personName": "Quin Hale", "dateOfBirth": "1979-01-05", "gender": "man"],
                "sentence": ["releaseType": "licence", "expectedArrival": testDay(70).description],
                "risk": ["roshOverall": "low"], "offences": [:], "needs": [:], "location": ["homeDistrict": "M14"], "licence": [:],
                "move-on": ["moveOnPlan": "His own tenancy"],
            ]
            for (section, body) in answers {
                let saved = try await client.execute(
                    uri: "/referral-drafts/\(draft)/sections/\(section)", method: .put, headers: world.headers("referrals"),
                    body: json(body))
                #expect(saved.status == .ok, "\(section): \(saved.text)")
            }
            let nobody = try await client.execute(
                uri: "/referral-drafts/\(draft)/submission", method: .post, headers: world.headers("referrals"),
                body: json(["declaration": true]))
            #expect(nobody.status == .unprocessableContent)
            #expect(nobody.text.contains("\"field\":\"practitioner\""))
            let name = try await client.execute(
                uri: "/referral-drafts/\(draft)/submission", method: .post, headers: world.headers("referrals"),
                body: json(["declaration": true, "practitioner": "Pat Practitioner"]))
            #expect(name.status == .unprocessableContent)
            #expect(name.text.contains("\"rule\":\"unknown\""))
            let submitted = try await client.execute(
                uri: "/referral-drafts/\(draft)/submission", method: .post, headers: world.headers("referrals"),
                body: json(["declaration": true, "practitioner": "PP"]))
            #expect(submitted.status == .created, "\(submitted.text)")
            let referral = try #require(try submitted.json()["id"] as? String)
            let theirs = try await client.execute(uri: "/referrals/\(referral)", method: .get, headers: world.headers("pp"))
            #expect(theirs.status == .ok)
            #expect(theirs.text.contains("Quin Hale"))

            let own = try await client.execute(uri: "/referral-drafts", method: .post, headers: world.headers("pp2"))
            let ownDraft = try #require(try own.json()["id"] as? String)
            let refused = try await client.execute(
                uri: "/referral-drafts/\(ownDraft)/submission", method: .post, headers: world.headers("pp2"),
                body: json(["declaration": true, "practitioner": "pp"]))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("\"rule\":\"own\""))
        }
    }
}
