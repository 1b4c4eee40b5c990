import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// A national set of premises, each built so that one filter excludes it (or none does).
struct NationalSet {
    let pool: PostgresPool
    let admin: Principal
    let referrals: Principal
    var premises: [String: UUID] = [:]

    static func make(_ pool: PostgresPool) async throws -> NationalSet {
        let fixtures = Fixtures(pool: pool)
        try await fixtures.staff("root", .administrator)
        try await fixtures.staff("cru", .referralManager)
        var set = NationalSet(
            pool: pool, admin: try await fixtures.signIn("root").principal, referrals: try await fixtures.signIn("cru").principal)
        let accepting = ["acceptsSexOffenders", "isCatered"]
        // code, region, postcode district, type, gender, premises features, beds (room characteristics each)
        let layout: [(String, String, String, String, String, [String], [[String]])] = [
            ("MAN-NEAR", "GM", "M14", "NORMAL", "men", accepting, [["isSingle", "hasEnSuite"], ["isSingle"]]),  // matches, nearest
            ("SAL-NEAR", "GM", "M6", "NORMAL", "men", accepting, [["isSingle", "hasEnSuite"]]),  // matches, a little further
            ("LDS-MID", "YH", "LS6", "NORMAL", "men", accepting, [["isSingle", "hasEnSuite"]]),  // matches, further
            ("BHM-FAR", "WM", "B15", "NORMAL", "men", accepting, [["isSingle", "hasEnSuite"]]),  // outside the radius
            ("MAN-WOMEN", "GM", "M13", "NORMAL", "women", accepting, [["isSingle", "hasEnSuite"]]),  // women's AP
            ("MAN-PIPE", "GM", "M16", "PIPE", "men", accepting, [["isSingle", "hasEnSuite"]]),  // wrong type
            ("STK-NOSO", "NW", "SK1", "NORMAL", "men", ["isCatered"], [["isSingle", "hasEnSuite"]]),  // does not accept the offence
            ("BOL-NOCAT", "GM", "BL1", "NORMAL", "men", ["acceptsSexOffenders"], [["isSingle", "hasEnSuite"]]),  // not catered
            ("OLD-SPLIT", "GM", "OL1", "NORMAL", "men", accepting, [["isSingle"], ["hasEnSuite"]]),  // needs in two rooms
            ("WGN-FULL", "GM", "WN1", "NORMAL", "men", accepting, [["isSingle", "hasEnSuite"]]),  // full (booked)
            ("WAR-OOS", "NW", "WA1", "NORMAL", "men", accepting, [["isSingle", "hasEnSuite"]]),  // its bed out of service
            ("PRE-TAKEN", "NW", "PR1", "NORMAL", "men", accepting, [["isSingle", "hasEnSuite"], ["isSingle"]]),  // suitable bed allocated
            ("CAR-FAR", "NW", "CA1", "NORMAL", "men", accepting, [["isSingle", "hasEnSuite"]]),  // outside the radius
        ]
        let rooms = RoomStore(pool: pool)
        for (code, region, district, type, gender, features, beds) in layout {
            let id: UUID = try await pool.query(
                """
                INSERT INTO premises (code, name, region_code, ap_type_code, gender, postcode)
                VALUES (\(code), \("AP " + code), \(region), \(type), \(gender), \(district + " 1AA")) RETURNING id
                """
            ).first!.decode("id")
            for feature in features {
                try await pool.execute("INSERT INTO premises_feature (premises_id, characteristic_code) VALUES (\(id), \(feature))")
            }
            for (index, characteristics) in beds.enumerated() {
                let room = try await rooms.addRoom(
                    premisesID: id, name: "Room \(index + 1)", floor: nil, characteristics: characteristics, by: set.admin)
                _ = try await rooms.addBed(
                    roomID: room.id, label: "\(index + 1)", inUseFrom: CalendarDate("2026-01-01")!, inUseUntil: nil, by: set.admin)
            }
            set.premises[code] = id
        }
        return set
    }

    func bed(_ code: String, _ label: String) async throws -> UUID {
        try await pool.query("SELECT id FROM bed WHERE premises_id = \(premises[code]!) AND label = \(label)").first!.decode("id")
    }
}

func referralDetails(crn: String = "M000001", arrival: String = "2027-03-01", radius: Int? = 60) -> ReferralDetails {
    ReferralDetails(
        crn: crn, nomsNumber: "A1234BC", personName: "Morgan Price", dateOfBirth: CalendarDate("1985-06-01")!, gender: "man",
        referrerName: "Pat Officer", referrerEmail: "pat.officer@justice.example", referrerTeam: "Manchester North", referrerRegion: "GM",
        releaseType: "licence", expectedRelease: CalendarDate(arrival)!, expectedArrival: CalendarDate(arrival)!, lengthOfStayDays: 28,
        roshOverall: "high", roshChildren: "medium", roshPublic: "high", mappaCategory: "2", mappaLevel: "2",
        offenceFlags: ["sexualOffencesAgainstAdults"], roomNeeds: ["hasEnSuite", "isSingle"], premisesNeeds: ["isCatered"],
        apType: "NORMAL", homeDistrict: "M14", radiusMiles: radius, licenceConditions: "No contact with the victim; reside at the AP",
        licenceCurfewStart: "19:00", licenceCurfewEnd: "07:00", substanceMisuse: "alcohol, in recovery", mentalHealth: "anxiety",
        servicesInvolved: "Change Grow Live (alcohol)", riskToStaff: "verbal aggression when drinking",
        otherInformation: "Prefers an early shift job")
}

@Suite("Referrals and matching", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ReferralMatchingTests {
    @Test("on a scripted national set, each filter excludes its premises with the reason, and the rest rank by distance")
    func filtersAndRanking() async throws {
        try await TestDatabase.withDatabase { pool in
            let set = try await NationalSet.make(pool)
            let store = ReferralStore(pool: pool)
            let placements = PlacementStore(pool: pool)
            let today = CalendarDate("2026-11-23")!
            // WGN-FULL: booked for the whole stay; WAR-OOS: its bed out of service; PRE-TAKEN: its suitable bed allocated.
            _ = try await placements.book(
                NewPlacement(
                    premisesID: set.premises["WGN-FULL"]!, crn: "F000001", personName: "Full Up",
                    expectedArrival: CalendarDate("2027-02-20")!, expectedDeparture: CalendarDate("2027-03-10")!), by: set.admin)
            _ = try await OutOfServiceStore(pool: pool).create(
                bedID: try await set.bed("WAR-OOS", "1"),
                nights: Nights(first: CalendarDate("2027-03-05")!, end: CalendarDate("2027-03-08")!),
                reason: "FLOOD_FIRE", reference: nil, notes: nil, by: set.admin)
            _ = try await placements.book(
                NewPlacement(
                    premisesID: set.premises["PRE-TAKEN"]!, crn: "F000002", personName: "Bed Taken",
                    expectedArrival: CalendarDate("2027-03-10")!, expectedDeparture: CalendarDate("2027-03-20")!,
                    bedID: try await set.bed("PRE-TAKEN", "1")), by: set.admin)

            let referral = try await store.create(referralDetails(), by: set.referrals, today: today)
            _ = try await store.decide(referral.id, .accept(note: nil), expectedVersion: nil, by: set.referrals)
            let result = try await store.match(referral.id, arrival: nil, radiusMiles: nil, by: set.referrals)

            #expect(result.stay == Nights(first: CalendarDate("2027-03-01")!, end: CalendarDate("2027-03-29")!))
            #expect(result.candidates.map(\.code) == ["MAN-NEAR", "SAL-NEAR", "LDS-MID"])
            #expect(result.candidates.first?.bedLabel == "1")
            let distances = result.candidates.compactMap(\.distanceMiles)
            #expect(distances == distances.sorted())

            let reasons = Dictionary(uniqueKeysWithValues: result.excluded.map { ($0.code, $0.reasons) })
            #expect(reasons["MAN-WOMEN"] == ["is an AP for women, not men"])
            #expect(reasons["MAN-PIPE"] == ["is a PIPE AP, not NORMAL"])
            #expect(reasons["STK-NOSO"] == ["does not accept sexualOffencesAgainstAdults (acceptsSexOffenders)"])
            #expect(reasons["BOL-NOCAT"] == ["lacks isCatered"])
            #expect(reasons["OLD-SPLIT"] == ["has hasEnSuite and isSingle only in different rooms, never in one bed"])
            #expect(reasons["WGN-FULL"] == ["is full on the nights of 2027-03-01 to 2027-03-09 (every bed taken)"])
            #expect(reasons["WAR-OOS"] == ["has no bed with hasEnSuite and isSingle free and in service on every night of the stay"])
            #expect(reasons["PRE-TAKEN"] == ["has no bed with hasEnSuite and isSingle free and in service on every night of the stay"])
            #expect(reasons["BHM-FAR"]?.first?.contains("outside the 60-mile radius") == true)
            #expect(reasons["CAR-FAR"]?.first?.contains("outside the 60-mile radius") == true)
            #expect(result.excluded.count == 10)

            // The nearest near-miss is the nearest premises left out for one reason only.
            let nearMiss = try #require(result.nearestNearMiss)
            #expect(nearMiss.code == "MAN-WOMEN")
            let wigan = try #require(result.excluded.first { $0.code == "WGN-FULL" })
            #expect(wigan.freeFrom == CalendarDate("2027-03-10"))

            // A wider radius brings Birmingham in.
            let wider = try await store.match(referral.id, arrival: nil, radiusMiles: 200, by: set.referrals)
            #expect(wider.candidates.map(\.code).contains("BHM-FAR"))
        }
    }

    @Test("booking from a match books the placement and bed in one go; withdrawal cancels it; the story reaches the AP")
    func bookAndWithdraw() async throws {
        try await TestDatabase.withDatabase { pool in
            let set = try await NationalSet.make(pool)
            let store = ReferralStore(pool: pool)
            let referral = try await store.create(referralDetails(), by: set.referrals, today: CalendarDate("2026-11-23")!)
            _ = try await store.decide(
                referral.id, .requestInformation(question: "Is there a victim exclusion zone?"), expectedVersion: nil, by: set.referrals)
            _ = try await store.decide(
                referral.id, .provideInformation(answer: "Yes: Salford city centre"), expectedVersion: nil, by: set.referrals)
            _ = try await store.decide(referral.id, .accept(note: "suitable"), expectedVersion: nil, by: set.referrals)
            let match = try await store.match(referral.id, arrival: nil, radiusMiles: nil, by: set.referrals)
            let best = try #require(match.candidates.first)
            let (booked, placement) = try await store.book(
                referral.id, premisesID: best.premisesID, bedID: best.bedID, arrival: nil, departure: nil, by: set.referrals)
            #expect(booked.status == .booked)
            #expect(placement.expectedDeparture == CalendarDate("2027-03-29"))
            #expect(Set(placement.needs) == ["hasEnSuite", "isSingle"])
            let allocated: Int = try await pool.query(
                "SELECT count(*)::integer AS n FROM bed_allocation WHERE placement_id = \(placement.id) AND bed_id = \(best.bedID)"
            ).first!.decode("n")
            #expect(allocated == 1)

            let manager = try await Fixtures(pool: pool).staff("mgr", .apManager, premises: best.premisesID)
            _ = manager
            let managerPrincipal = try await Fixtures(pool: pool).signIn("mgr").principal
            let story = try #require(try await store.profile(placementID: placement.id, by: managerPrincipal))
            #expect(story.details.licenceCurfewStart == "19:00")
            #expect(story.details.riskToStaff == "verbal aggression when drinking")

            _ = try await store.decide(
                referral.id, .withdraw(reason: "recalled to custody", code: "other"), expectedVersion: nil, by: set.referrals)
            let cancelled = try await PlacementStore(pool: pool).get(placement.id, by: set.admin)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.cancellationReason == "REFERRAL_WITHDRAWN")
            let (_, timeline) = try await store.get(referral.id, by: set.referrals)
            #expect(timeline.map(\.kind) == ["submitted", "information_requested", "information_given", "accepted", "booked", "withdrawn"])
            #expect(timeline[1].note == "Is there a victim exclusion zone?")
        }
    }

    @Test("intake names each bad field, and impossible decisions are refused")
    func intakeValidation() async throws {
        try await TestDatabase.withDatabase { pool in
            let set = try await NationalSet.make(pool)
            let store = ReferralStore(pool: pool)
            var bad = referralDetails(crn: "12345")
            bad.homeDistrict = "ZZ99"
            bad.expectedRelease = CalendarDate("2027-04-01")
            bad.roshOverall = "extreme"
            bad.roomNeeds = ["hasMoat"]
            do {
                _ = try await store.create(bad, by: set.referrals, today: CalendarDate("2026-11-23")!)
                Issue.record("a bad referral was taken in")
            } catch let error as DomainError {
                #expect(Set(error.problems.map(\.field)).isSuperset(of: ["crn", "expectedArrival", "roshOverall"]))
            }
            var unknownPlace = referralDetails()
            unknownPlace.homeDistrict = "zz99"
            do {
                _ = try await store.create(unknownPlace, by: set.referrals, today: CalendarDate("2026-11-23")!)
                Issue.record("an unknown district was accepted")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["homeDistrict"])
            }
            let referral = try await store.create(referralDetails(), by: set.referrals, today: CalendarDate("2026-11-23")!)
            await #expect(throws: DomainError(.conflict, "a referral that is submitted cannot be unable to match")) {
                try await store.decide(referral.id, .unableToMatch(reason: "no beds"), expectedVersion: nil, by: set.referrals)
            }
            _ = try await store.decide(referral.id, .reject(reason: "not eligible"), expectedVersion: nil, by: set.referrals)
            await #expect(throws: DomainError.self) {
                try await store.decide(referral.id, .accept(note: nil), expectedVersion: nil, by: set.referrals)
            }
            let queue = try await store.queue(statuses: [.rejected], by: set.referrals, page: PageRequest())
            #expect(queue.items.map(\.id) == [referral.id])
        }
    }
}
