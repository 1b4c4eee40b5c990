import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@testable import APServer

/// Moving a resident between APs and questioning a booking, through the API: a planned
/// transfer from the request to the first night at the receiving AP, an emergency transfer
/// racing a booking for the last bed, the rules that refuse a transfer, and appeals.
@Suite("Transfers and appeals through the API", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct TransferAPITests {
    /// The places of these tests: Elm (Manchester, the resident's AP), Oak (Leeds, men, one bed),
    /// Birch (inside the resident's exclusion zone, M20), Willow (for women), Fir (a PIPE AP).
    struct Places {
        var oak, birch, willow, fir: UUID
        var oakBed: UUID
        /// The resident at Elm (arrived today), from a referral; their referral.
        var resident: UUID
        var referral: UUID
    }

    static func places(_ world: TestWorld) async throws -> Places {
        let admin = try await world.fixtures.signIn("admin").principal
        let pool = world.pool
        try await pool.execute("UPDATE premises SET postcode = 'M14 5AA' WHERE id = \(world.elm)")
        try await pool.execute("UPDATE premises SET postcode = 'LS6 1AA' WHERE id = \(world.oak)")
        let birch = try await world.fixtures.premises("BIRCH", region: "NW")
        try await pool.execute("UPDATE premises SET postcode = 'M20 2AB' WHERE id = \(birch)")
        let willow = try await world.fixtures.premises("WILLOW", region: "NW")
        try await pool.execute("UPDATE premises SET postcode = 'M15 4AA', gender = 'women' WHERE id = \(willow)")
        let fir = try await world.fixtures.premises("FIR", region: "NW")
        try await pool.execute("UPDATE premises SET postcode = 'M16 7AA', ap_type_code = 'PIPE' WHERE id = \(fir)")
        let rooms = RoomStore(pool: pool)
        var beds = [UUID: UUID]()
        for premises in [world.elm, world.oak, birch, willow, fir] {
            let room = try await rooms.addRoom(premisesID: premises, name: "Room T", floor: nil, characteristics: [], by: admin)
            beds[premises] = try await rooms.addBed(roomID: room.id, label: "T", inUseFrom: testDay(-400), inUseUntil: nil, by: admin).id
        }
        let referrals = ReferralStore(pool: pool)
        let referral = try await referrals.create(
            ReferralDetails(
                crn: "T000001", personName: "Tom Shore", dateOfBirth: CalendarDate("1981-05-05")!, gender: "man",
                referrerName: "Pat Officer", referrerEmail: "pat@probation.example", referrerRegion: "NW", releaseType: "licence",
                expectedArrival: testDay(-1), lengthOfStayDays: 32, roshOverall: "medium", homeDistrict: "M14",
                exclusionZones: "Not to enter M20 (victim's home)"),
            by: admin, today: testDay(-8))
        _ = try await referrals.decide(referral.id, .accept(note: nil), expectedVersion: nil, by: admin)
        let (_, placement) = try await referrals.book(
            referral.id, premisesID: world.elm, bedID: beds[world.elm], arrival: testDay(-1), departure: testDay(31), by: admin)
        _ = try await PlacementStore(pool: pool).arrive(
            placement.id, at: Date().addingTimeInterval(-2 * 86_400), keyWorkerID: nil, expectedVersion: nil, by: admin)
        return Places(
            oak: world.oak, birch: birch, willow: willow, fir: fir, oakBed: beds[world.oak]!, resident: placement.id, referral: referral.id)
    }

    @Test("a planned transfer from the request to the first night at the receiving AP: one bed a night, what moves with them moves")
    func planned() async throws {
        try await withApp { client, world in
            let places = try await Self.places(world)
            let admin = try await world.fixtures.signIn("admin").principal
            // What should move with the resident: a curfew variation ahead, an open key-work action, a move-on pathway.
            _ = try await CurfewVariationStore(pool: world.pool).add(
                placementID: places.resident, nights: Nights(first: testDay(3), end: testDay(5)), hours: nil, reason: "Family visit",
                approvedBy: "Offender manager", by: admin)
            _ = try await KeyWorkStore(pool: world.pool).record(
                places.resident,
                .init(
                    heldAt: Date().addingTimeInterval(-60), durationMinutes: 30, kind: "induction", notes: "Settling in",
                    actions: [("Register with a GP", "resident", testDay(10))]), by: admin)
            _ = try await MoveOnStore(pool: world.pool).addPathway(places.resident, kind: "family", detail: "Sister in Leeds", by: admin)

            // Dates that cannot be, refused naming the field.
            for (date, rule) in [(testDay(0), "past"), (testDay(31), "order"), (testDay(40), "order")] {
                let refused = try await client.execute(
                    uri: "/placements/\(places.resident)/transfer-requests", method: .post, headers: world.headers("manager"),
                    body: json(["reason": "CLOSER_TO_HOME", "transferDate": "\(date)"]))
                #expect(refused.status == .unprocessableContent, "\(date): \(refused.text)")
                #expect(refused.text.contains(rule) && refused.text.contains("transferDate"), "\(refused.text)")
            }
            let other = try await client.execute(
                uri: "/placements/\(places.resident)/transfer-requests", method: .post, headers: world.headers("manager"),
                body: json(["reason": "OTHER", "transferDate": "\(testDay(1))"]))
            #expect(other.status == .unprocessableContent && other.text.contains("notes"), "\(other.text)")

            let requested = try await client.execute(
                uri: "/placements/\(places.resident)/transfer-requests", method: .post, headers: world.headers("manager"),
                body: json(["reason": "CLOSER_TO_HOME", "transferDate": "\(testDay(1))", "notes": "Sister in Leeds will help"]))
            #expect(requested.status == .created, "\(requested.text)")
            let id = try #require(try requested.json()["id"] as? String)
            let again = try await client.execute(
                uri: "/placements/\(places.resident)/transfer-requests", method: .post, headers: world.headers("manager"),
                body: json(["reason": "CLOSER_TO_HOME", "transferDate": "\(testDay(2))"]))
            #expect(again.status == .conflict, "one open transfer a stay: \(again.text)")

            // Only the managers concerned and the unit see it.
            #expect(
                try await client.execute(uri: "/transfers/\(id)", method: .get, headers: world.headers("oak.manager")).status == .notFound)
            #expect(try await client.execute(uri: "/transfers/\(id)", method: .get, headers: world.headers("pp")).status == .notFound)
            #expect(try await client.execute(uri: "/transfers/\(id)", method: .get, headers: world.headers("night")).status == .forbidden)
            let queue = try await client.execute(uri: "/transfers?status=requested", method: .get, headers: world.headers("referrals"))
            #expect(queue.status == .ok && queue.text.contains(id), "\(queue.text)")
            let theirs = try await client.execute(uri: "/transfers", method: .get, headers: world.headers("oak.manager"))
            #expect(theirs.status == .ok && !theirs.text.contains(id))

            // Matching: Oak is a candidate; Birch (exclusion zone), Willow (women) and Elm (where they are) are not.
            let matches = try await client.execute(uri: "/transfers/\(id)/matches", method: .get, headers: world.headers("referrals"))
            #expect(matches.status == .ok, "\(matches.text)")
            let match = try matches.json()
            let candidates = (match["candidates"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(candidates == ["OAK"], "\(matches.text)")
            let excluded = Dictionary(
                uniqueKeysWithValues: (match["excluded"] as? [[String: Any]] ?? []).map {
                    ($0["code"] as? String ?? "", ($0["reasons"] as? [String] ?? []).joined(separator: "; "))
                })
            #expect(excluded["BIRCH"]?.contains("exclusion zones") == true, "\(excluded)")
            #expect(excluded["WILLOW"]?.contains("for women") == true, "\(excluded)")
            #expect(excluded["FIR"]?.contains("is a PIPE AP, not NORMAL") == true, "\(excluded)")
            #expect(excluded["ELM"]?.contains("where they live now") == true, "\(excluded)")

            // Booking into an exclusion zone or an AP for women is refused, naming the rule; nothing is written.
            for (premises, words) in [(places.birch, "exclusion zones"), (places.willow, "for women"), (places.fir, "PIPE")] {
                let refused = try await client.execute(
                    uri: "/transfers/\(id)/booking", method: .post, headers: world.headers("referrals"),
                    body: json(["premisesId": premises.uuidString]))
                #expect(refused.status == .unprocessableContent && refused.text.contains(words), "\(refused.text)")
                #expect(refused.text.contains("premisesId"))
            }
            let stays: Int = try await world.pool.query("SELECT count(*)::integer AS n FROM placement WHERE crn = 'T000001'")[0].decode("n")
            #expect(stays == 1)
            #expect(
                try await client.execute(
                    uri: "/transfers/\(id)/booking", method: .post, headers: world.headers("manager"),
                    body: json(["premisesId": places.oak.uuidString])
                ).status == .forbidden)

            let booked = try await client.execute(
                uri: "/transfers/\(id)/booking", method: .post, headers: world.headers("referrals"),
                body: json(["premisesId": places.oak.uuidString]))
            #expect(booked.status == .ok, "\(booked.text)")
            let transfer = try booked.json()
            #expect(transfer["status"] as? String == "booked")
            let next = try #require(transfer["toPlacementId"] as? String)
            // Now Oak's manager sees it; the first stay is expected to end today, the next to begin today.
            #expect(try await client.execute(uri: "/transfers/\(id)", method: .get, headers: world.headers("oak.manager")).status == .ok)
            let first = try await PlacementStore(pool: world.pool).get(places.resident, by: admin)
            #expect(first.expectedDeparture == testDay(1))
            // Until they move, the referral follows the stay they are in.
            let following = try await client.execute(
                uri: "/referrals/\(places.referral)", method: .get, headers: world.headers("referrals"))
            #expect(
                following.text.contains("\"stage\":\"arrived\"") && following.text.contains(places.resident.uuidString.lowercased()),
                "\(following.text)")

            // The first night at Oak: its manager records the arrival, which ends the stay at Elm.
            let arrived = try await client.execute(
                uri: "/placements/\(next)/arrival", method: .post, headers: world.headers("oak.manager"),
                body: json(["arrivedAt": ISO8601DateFormatter().string(from: Date())]))
            #expect(arrived.status == .ok, "\(arrived.text)")
            let left = try await PlacementStore(pool: world.pool).get(places.resident, by: admin)
            #expect(left.status == .departed && left.departureReason == "PT" && left.departureDate == testDay(1))
            #expect(left.moveOnCategory == "P")
            let done = try await client.execute(uri: "/transfers/\(id)", method: .get, headers: world.headers("referrals"))
            #expect(try done.json()["status"] as? String == "completed")

            // One live bed a night, no gap and no overlap, from the arrival at Elm to the end at Oak.
            let nights = try await world.pool.query(
                """
                SELECT lower(a.nights) AS first, upper(a.nights) AS end FROM bed_allocation a JOIN placement p ON p.id = a.placement_id
                WHERE p.crn = 'T000001' AND a.released_at IS NULL ORDER BY lower(a.nights)
                """
            ).map { (try $0.decode("first", as: CalendarDate.self), try $0.decode("end", as: CalendarDate.self)) }
            #expect(nights.count == 2 && nights.first?.0 == testDay(-1) && nights.last?.1 == testDay(31), "\(nights)")
            #expect(zip(nights, nights.dropFirst()).allSatisfy { $0.0.1 == $0.1.0 || $0.0.1 == $0.0.0 }, "\(nights)")

            // Reports: occupancy is continuous across the transfer night (one person, one bed a night);
            // the transfer is counted out of Elm and into Oak, and is no move-on outcome.
            let reports = ReportStore(pool: world.pool)
            let occupancy = try await reports.occupancy(.country, from: testDay(-1), to: testDay(3), period: .day, by: admin)
            // Tom at Elm, then at Oak; Sam Jones (the world's booking at Elm) from testDay(0).
            #expect(occupancy.rows.map(\.occupiedBedNights) == [1, 2, 2, 2], "\(occupancy.rows.map(\.occupiedBedNights))")
            let moveOn = try await reports.moveOn(.country, from: testDay(-1), to: testDay(3), period: .week, by: admin)
            #expect(moveOn.rows.map(\.departures).reduce(0, +) == 0, "a transfer is not a departure")
            let outOfElm = try await reports.moveOn(.premises(world.elm), from: testDay(-1), to: testDay(3), period: .year, by: admin)
            #expect(outOfElm.rows.first?.transfersOut == ["planned": 1] && outOfElm.rows.first?.transfersIn == [:])
            let intoOak = try await reports.moveOn(.premises(places.oak), from: testDay(-1), to: testDay(3), period: .year, by: admin)
            #expect(intoOak.rows.first?.transfersIn == ["planned": 1] && intoOak.rows.first?.transfersOut == [:])

            // What moved: the variation ahead, the open action, the pathway; the licence curfew is the referral's.
            let moved = try await world.pool.query(
                """
                SELECT (SELECT count(*) FROM curfew_variation WHERE placement_id = \(UUID(uuidString: next)!))::integer AS variations,
                       (SELECT count(*) FROM key_work_action WHERE placement_id = \(UUID(uuidString: next)!) AND done_at IS NULL)::integer AS actions,
                       (SELECT count(*) FROM move_on_pathway WHERE placement_id = \(UUID(uuidString: next)!))::integer AS pathways
                """)[0]
            #expect(try moved.decode("variations", as: Int.self) == 1)
            #expect(try moved.decode("actions", as: Int.self) == 1)
            #expect(try moved.decode("pathways", as: Int.self) == 1)
            // One story: Oak's record of the resident tells of the stay at Elm and its key work.
            let record = try await client.execute(uri: "/placements/\(next)/record", method: .get, headers: world.headers("oak.manager"))
            #expect(
                record.status == .ok && record.text.contains("Stayed at Premises ELM") && record.text.contains("Settling in"),
                "\(record.text)")
            // Oak's key worker can tick off the action agreed at Elm.
            let action: UUID = try #require(
                try await world.pool.query("SELECT id FROM key_work_action WHERE placement_id = \(UUID(uuidString: next)!)").first
            ).decode("id")
            let ticked = try await client.execute(
                uri: "/key-work-actions/\(action)/completion", method: .post, headers: world.headers("oak.manager"))
            #expect(ticked.status == .ok, "\(ticked.text)")

            // Told: the unit of the request, both APs and the practitioner of the booking; nobody of a "departure".
            let told = Set(
                try await world.pool.query(
                    "SELECT event || ':' || recipient_kind AS e FROM notification WHERE placement_id = \(places.resident)"
                )
                .map { try $0.decode("e", as: String.self) })
            #expect(told.isSuperset(of: ["transfer_requested:cru", "transfer_booked:premises", "transfer_booked:practitioner"]), "\(told)")
            #expect(!told.contains("departed:practitioner") && !told.contains("ended_early:cru"), "\(told)")
            // The referral's timeline tells the story.
            let timeline = try await client.execute(uri: "/referrals/\(places.referral)", method: .get, headers: world.headers("referrals"))
            for kind in ["transfer_requested", "transfer_booked", "transferred"] { #expect(timeline.text.contains(kind), "\(kind)") }
            // A departure recorded as a transfer by hand is refused: the arrival records it.
            let byHand = try await client.execute(
                uri: "/placements/\(next)/departure", method: .post, headers: world.headers("oak.manager"),
                body: json(["departedAt": ISO8601DateFormatter().string(from: Date()), "reason": "PT"]))
            #expect(byHand.status == .unprocessableContent && byHand.text.contains("transfer"), "\(byHand.text)")
            // The departure summary covers the whole time in APs.
            let summary = try await ResidentRecordStore(pool: world.pool).summary(UUID(uuidString: next)!, by: admin)
            #expect(summary.premisesName == "Premises ELM, then Premises OAK" && summary.arrivalDate == testDay(-1), "\(summary)")
            #expect(summary.keyWorkSessions == 1)
            // The last stay's departure is the move-on outcome, its stay counted from the first arrival at Elm.
            let movedOn = try await client.execute(
                uri: "/placements/\(next)/departure", method: .post, headers: world.headers("oak.manager"),
                body: json(["departedAt": ISO8601DateFormatter().string(from: Date()), "reason": "O", "moveOnCategory": "MC04"]))
            #expect(movedOn.status == .ok, "\(movedOn.text)")
            let outcome = try await ReportStore(pool: world.pool).moveOn(
                .country, from: testDay(-1), to: testDay(3), period: .year, by: admin)
            #expect(outcome.rows.first?.departures == 1 && outcome.rows.first?.byOutcome == ["settled": 1])
            #expect(outcome.rows.first?.averageStayDays == 2, "\(String(describing: outcome.rows.first?.averageStayDays))")
        }
    }

    @Test("the database keeps a transfer's two stays end to end, whatever writes them")
    func seamless() async throws {
        try await withApp { client, world in
            let places = try await Self.places(world)
            // A continuation that begins a night late, written straight into the database, is refused at commit.
            do {
                try await world.pool.transaction { connection in
                    try await connection.execute(
                        """
                        INSERT INTO placement (premises_id, crn, person_name, expected_arrival, expected_departure, transferred_from)
                        VALUES (\(places.oak), 'T000001', 'Tom Shore', \(testDay(6)), \(testDay(31)), \(places.resident))
                        """)
                }
                Issue.record("a continuation with a gap was accepted")
            } catch let error as PostgresError {
                #expect(error.constraint == "transfer_is_seamless", "\(error)")
            }
            // A departure for a transfer with no arrival anywhere is refused too.
            do {
                try await world.pool.execute(
                    """
                    UPDATE placement SET departed_at = now(), departure_date = arrival_date, departure_reason_code = 'PT'
                    WHERE id = \(places.resident)
                    """)
                Issue.record("a transfer departure with no arrival was accepted")
            } catch let error as PostgresError {
                #expect(error.constraint == "transfer_is_seamless", "\(error)")
            }
            _ = client
        }
    }

    @Test("an emergency transfer tonight and a booking race for the last bed: exactly one wins, the loser is told")
    func emergencyRace() async throws {
        try await withApp { client, world in
            let places = try await Self.places(world)
            // Agreement must come from a manager of the receiving AP; the receiving AP must suit.
            let unagreed = try await client.execute(
                uri: "/placements/\(places.resident)/emergency-transfer", method: .post, headers: world.headers("manager"),
                body: json(["toPremisesId": places.oak.uuidString, "agreedBy": "manager", "reason": "RISK_TO_RESIDENT"]))
            #expect(unagreed.status == .unprocessableContent && unagreed.text.contains("agreedBy"), "\(unagreed.text)")
            let wrongGender = try await client.execute(
                uri: "/placements/\(places.resident)/emergency-transfer", method: .post, headers: world.headers("manager"),
                body: json(["toPremisesId": places.willow.uuidString, "agreedBy": "oak.manager", "reason": "RISK_TO_RESIDENT"]))
            #expect(wrongGender.status == .unprocessableContent, "\(wrongGender.text)")
            #expect(
                try await client.execute(
                    uri: "/placements/\(places.resident)/emergency-transfer", method: .post, headers: world.headers("oak.manager"),
                    body: json(["toPremisesId": places.oak.uuidString, "agreedBy": "oak.manager", "reason": "RISK_TO_RESIDENT"])
                ).status == .notFound, "another AP's manager cannot move Elm's resident")

            // Oak has one bed: the emergency transfer and a booking for tonight race for it.
            async let emergency = client.execute(
                uri: "/placements/\(places.resident)/emergency-transfer", method: .post, headers: world.headers("manager"),
                body: json([
                    "toPremisesId": places.oak.uuidString, "agreedBy": "oak.manager", "reason": "RISK_TO_RESIDENT",
                    "notes": "Threatened by another resident", "expectedDeparture": "\(testDay(10))",
                ]))
            async let booking = client.execute(
                uri: "/premises/\(places.oak)/placements", method: .post, headers: world.headers("admin"),
                body: json([
                    "crn": "Z000009", "personName": "Zed Race", "expectedArrival": "\(testDay(1))", "expectedDeparture": "\(testDay(3))",
                    "bedId": places.oakBed.uuidString,
                ]))
            let (moved, booked) = try await (emergency, booking)
            let statuses = [moved.status, booked.status]
            #expect(statuses.filter { $0 == .created }.count == 1, "\(moved.status) \(moved.text) / \(booked.status) \(booked.text)")
            #expect(statuses.filter { $0 == .conflict }.count == 1, "the loser is told: \(moved.text) / \(booked.text)")
            let resident = try await PlacementStore(pool: world.pool).get(
                places.resident, by: try await world.fixtures.signIn("admin").principal)
            if moved.status == .created {
                #expect(resident.status == .departed && resident.departureReason == "ET")
                let transfer = try moved.json()
                #expect(transfer["status"] as? String == "completed" && transfer["agreedBy"] as? String == "Oak.Manager")
                let told = Set(
                    try await world.pool.query(
                        "SELECT event || ':' || recipient_kind AS e FROM notification WHERE placement_id = \(places.resident)"
                    )
                    .map { try $0.decode("e", as: String.self) })
                #expect(told.isSuperset(of: ["emergency_transfer:cru", "emergency_transfer:premises", "emergency_transfer:practitioner"]))
            } else {
                #expect(resident.status == .arrived, "the loser left nothing half-written")
                #expect(moved.text.contains("free") || moved.text.contains("full") || moved.text.contains("bed"), "\(moved.text)")
            }
            let live: Int = try await world.pool.query(
                "SELECT count(*)::integer AS n FROM bed_allocation WHERE bed_id = \(places.oakBed) AND released_at IS NULL")[0].decode("n")
            #expect(live == 1)
        }
    }

    @Test("a transfer's booking appealed by the receiving AP and accepted: the resident stays; an emergency transfer supersedes a request")
    func transferAppealedThenEmergency() async throws {
        try await withApp { client, world in
            let places = try await Self.places(world)
            func request(_ day: Int) async throws -> String {
                let asked = try await client.execute(
                    uri: "/placements/\(places.resident)/transfer-requests", method: .post, headers: world.headers("manager"),
                    body: json(["reason": "CLOSER_TO_HOME", "transferDate": "\(testDay(day))"]))
                #expect(asked.status == .created, "\(asked.text)")
                return try #require(try asked.json()["id"] as? String)
            }
            let first = try await request(3)
            let booked = try await client.execute(
                uri: "/transfers/\(first)/booking", method: .post, headers: world.headers("referrals"),
                body: json(["premisesId": places.oak.uuidString]))
            let next = try #require(try booked.json()["toPlacementId"] as? String)
            let appealed = try await client.execute(
                uri: "/placements/\(next)/appeals", method: .post, headers: world.headers("oak.manager"),
                body: json(["reason": "RISK_TO_STAFF_OR_RESIDENTS", "notes": "Known to a resident here"]))
            #expect(appealed.status == .created, "\(appealed.text)")
            let accepted = try await client.execute(
                uri: "/appeals/\(try #require(try appealed.json()["id"] as? String))/decision", method: .post,
                headers: world.headers("referrals"), body: json(["decision": "accept"]))
            #expect(accepted.status == .ok, "\(accepted.text)")
            let transfer = try await client.execute(uri: "/transfers/\(first)", method: .get, headers: world.headers("referrals"))
            #expect(try transfer.json()["status"] as? String == "cancelled")
            let referral: String = try await world.pool.query("SELECT status FROM referral WHERE id = \(places.referral)")[0].decode(
                "status")
            #expect(referral == "booked", "the resident stays booked where they are")
            let admin = try await world.fixtures.signIn("admin").principal
            #expect(try await PlacementStore(pool: world.pool).get(places.resident, by: admin).status == .arrived)

            // The first stay still ends on the day booked (the AP changes its dates if they stay); asked for
            // again, then overtaken by an emergency transfer tonight: the request is cancelled.
            let second = try await request(2)
            let moved = try await client.execute(
                uri: "/placements/\(places.resident)/emergency-transfer", method: .post, headers: world.headers("manager"),
                body: json(["toPremisesId": places.oak.uuidString, "agreedBy": "oak.manager", "reason": "RISK_TO_RESIDENT"]))
            #expect(moved.status == .created, "\(moved.text)")
            let superseded = try await client.execute(uri: "/transfers/\(second)", method: .get, headers: world.headers("referrals"))
            #expect(try superseded.json()["status"] as? String == "cancelled")
        }
    }

    @Test("appeals: accepted then booked elsewhere, rejected and the booking stands, refused after the arrival")
    func appeals() async throws {
        try await withApp { client, world in
            let admin = try await world.fixtures.signIn("admin").principal
            try await world.pool.execute("UPDATE premises SET postcode = 'M14 5AA' WHERE id = \(world.elm)")
            try await world.pool.execute("UPDATE premises SET postcode = 'LS6 1AA' WHERE id = \(world.oak)")
            let oakRoom = try await RoomStore(pool: world.pool).addRoom(
                premisesID: world.oak, name: "Room O", floor: nil, characteristics: [], by: admin)
            _ = try await RoomStore(pool: world.pool).addBed(
                roomID: oakRoom.id, label: "O", inUseFrom: testDay(-400), inUseUntil: nil, by: admin)
            let (_, placement) = try await ReferralStore(pool: world.pool).book(
                world.referral, premisesID: world.elm, bedID: nil, arrival: nil, departure: nil, by: admin)
            let missing = try await client.execute(
                uri: "/placements/\(placement.id)/appeals", method: .post, headers: world.headers("manager"),
                body: json(["reason": "OTHER"]))
            #expect(missing.status == .unprocessableContent && missing.text.contains("notes"), "\(missing.text)")
            #expect(
                try await client.execute(
                    uri: "/placements/\(placement.id)/appeals", method: .post, headers: world.headers("oak.manager"),
                    body: json(["reason": "NEED_NOT_MET"])
                ).status == .notFound)
            let appealed = try await client.execute(
                uri: "/placements/\(placement.id)/appeals", method: .post, headers: world.headers("manager"),
                body: json(["reason": "RISK_TO_STAFF_OR_RESIDENTS", "notes": "A known associate of a current resident"]))
            #expect(appealed.status == .created, "\(appealed.text)")
            let id = try #require(try appealed.json()["id"] as? String)
            let queue = try await client.execute(uri: "/appeals?status=pending", method: .get, headers: world.headers("referrals"))
            #expect(queue.text.contains(id))
            #expect(
                try await client.execute(uri: "/appeals/\(id)", method: .get, headers: world.headers("oak.manager")).status == .notFound)
            let accepted = try await client.execute(
                uri: "/appeals/\(id)/decision", method: .post, headers: world.headers("referrals"),
                body: json(["decision": "accept", "notes": "Agreed: look elsewhere"]))
            #expect(try accepted.status == .ok && (accepted.json()["status"] as? String) == "accepted", "\(accepted.text)")
            let cancelled = try await PlacementStore(pool: world.pool).get(placement.id, by: admin)
            #expect(cancelled.status == .cancelled && cancelled.cancellationReason == "AP_APPEAL")
            let twice = try await client.execute(
                uri: "/appeals/\(id)/decision", method: .post, headers: world.headers("referrals"), body: json(["decision": "reject"]))
            #expect(twice.status == .conflict)
            // Back in the queue ready to match, its history kept; booked elsewhere.
            let referral = try await client.execute(uri: "/referrals/\(world.referral)", method: .get, headers: world.headers("referrals"))
            #expect(referral.text.contains("ready_to_match") && referral.text.contains("appeal_accepted"), "\(referral.text)")
            let rebooked = try await client.execute(
                uri: "/referrals/\(world.referral)/booking", method: .post, headers: world.headers("referrals"),
                body: json(["premisesId": world.oak.uuidString]))
            #expect(rebooked.status == .created, "\(rebooked.text)")
            let oakPlacement = try #require((try rebooked.json()["placement"] as? [String: Any])?["id"] as? String)

            // Oak appeals; the unit rejects it: the booking stands.
            let second = try await client.execute(
                uri: "/placements/\(oakPlacement)/appeals", method: .post, headers: world.headers("oak.manager"),
                body: json(["reason": "NEED_NOT_MET", "notes": "No step-free room free then"]))
            #expect(second.status == .created, "\(second.text)")
            let rejected = try await client.execute(
                uri: "/appeals/\(try #require(try second.json()["id"] as? String))/decision", method: .post,
                headers: world.headers("referrals"), body: json(["decision": "reject", "notes": "A step-free room is free from then"]))
            #expect(try rejected.status == .ok && (rejected.json()["status"] as? String) == "rejected")
            let stands = try await PlacementStore(pool: world.pool).get(UUID(uuidString: oakPlacement)!, by: admin)
            #expect(stands.status == .upcoming)
            let told = Set(
                try await world.pool.query("SELECT event || ':' || recipient_kind AS e FROM notification WHERE event LIKE 'appeal%'")
                    .map { try $0.decode("e", as: String.self) })
            #expect(told == ["appeal_made:cru", "appeal_decided:premises"], "\(told)")

            // After the arrival an appeal is refused.
            _ = try await PlacementStore(pool: world.pool).arrive(
                world.placement, at: Date(), keyWorkerID: nil, expectedVersion: nil, by: admin)
            let late = try await client.execute(
                uri: "/placements/\(world.placement)/appeals", method: .post, headers: world.headers("manager"),
                body: json(["reason": "NEED_NOT_MET"]))
            #expect(late.status == .conflict && late.text.contains("before the arrival"), "\(late.text)")
        }
    }

    @Test("every event the outbox may hold has a subject and a body, and they render")
    func everyEventHasWords() async throws {
        try await TestDatabase.withDatabase { pool in
            let definition: String = try await pool.query(
                "SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conname = 'notification_event_is_known'")[0].decode("d")
            let events = Set(definition.matches(of: /'([a-z_]+)'/).map { String($0.output.1) })
            #expect(events.contains("transfer_booked") && events.count > 20)
            #expect(Set(MailTemplates.subjects.keys) == events)
            #expect(Set(MailTemplates.bodies.keys) == events)
            let renderer = try MailRenderer(from: "ap@example.org", publicURL: "https://ap.example")
            let values = MailRenderer.values(
                [
                    "personName": "Tom Shore", "crn": "T000001", "fromPremises": "Elm", "premisesName": "Oak", "arrival": "2026-12-07",
                    "reason": "Closer to home", "link": "/transfers/x",
                ], publicURL: "https://ap.example")
            let body = try #require(renderer.bodies["transfer_booked"]).render(values)
            #expect(body.contains("from Elm to Oak on 7 December 2026"), "\(body)")
        }
    }
}

@Suite("Transfers and appeals with ap", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct TransferCommandLineTests {
    /// The id at the end of a line `ap` printed ("...; id UUID").
    static func id(in output: String) -> String? {
        output.firstMatch(of: /id ([0-9a-f-]{36})/).map { String($0.output.1) }
    }

    @Test("an AP manager asks for a transfer and appeals a booking with ap; the referral unit matches, books and decides with ap")
    func transferAndAppeal() async throws {
        try await withApp(.live) { client, world in
            _ = try await TransferAPITests.places(world)
            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let manager = try await CommandLineTests.signedIn("manager", to: client, in: folder, world.fixtures)
            let unit = try await CommandLineTests.signedIn("referrals", to: client, in: folder, world.fixtures)

            let incomplete = try await CommandLineTests.ap(
                ["placements", "transfer", "Tom", "--emergency", "--reason", "OTHER"], config: manager)
            #expect(incomplete.status != 0 && incomplete.output.contains("--to and --agreed-by"), "\(incomplete.output)")
            let asked = try await CommandLineTests.ap(
                ["placements", "transfer", "Tom", "--reason", "CLOSER_TO_HOME", "--date", "\(testDay(3))", "--notes", "Sister in Leeds"],
                config: manager)
            #expect(asked.status == 0 && asked.output.contains("Asked for: Tom Shore"), "\(asked.output)")
            let transfer = try #require(Self.id(in: asked.output))

            let queue = try await CommandLineTests.ap(["transfers", "list"], config: unit)
            #expect(queue.output.contains("Tom Shore") && queue.output.contains(transfer), "\(queue.output)")
            let match = try await CommandLineTests.ap(["transfers", "match", transfer], config: unit)
            #expect(match.status == 0 && match.output.contains("Premises OAK (OAK)"), "\(match.output)")
            let intoZone = try await CommandLineTests.ap(["transfers", "book", transfer, "--to", "BIRCH"], config: unit)
            #expect(intoZone.status != 0 && intoZone.output.contains("exclusion zones"), "\(intoZone.output)")
            let booked = try await CommandLineTests.ap(["transfers", "book", transfer, "--to", "OAK"], config: unit)
            #expect(
                booked.status == 0 && booked.output.contains("Booked: Tom Shore") && booked.output.contains("to Premises OAK"),
                "\(booked.output)")
            let byManager = try await CommandLineTests.ap(["transfers", "book", transfer, "--to", "OAK"], config: manager)
            #expect(byManager.status != 0)

            // Sam Jones is expected at Elm: its manager appeals, the unit rejects the appeal.
            let appealed = try await CommandLineTests.ap(
                ["placements", "appeal", "Sam", "--reason", "NEED_NOT_MET", "--notes", "No single room free"], config: manager)
            #expect(appealed.status == 0 && appealed.output.contains("Appealed: Sam Jones"), "\(appealed.output)")
            let appeal = try #require(Self.id(in: appealed.output))
            let appeals = try await CommandLineTests.ap(["appeals", "list"], config: unit)
            #expect(appeals.output.contains("Sam Jones") && appeals.output.contains(appeal), "\(appeals.output)")
            let rejected = try await CommandLineTests.ap(
                ["appeals", "decide", appeal, "reject", "--notes", "A single room is free"], config: unit)
            #expect(rejected.status == 0 && rejected.output.contains("Appeal rejected: Sam Jones"), "\(rejected.output)")
        }
    }
}
