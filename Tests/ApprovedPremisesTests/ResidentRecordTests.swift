import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// The resident's record and the departure summary, at Elm (London: UTC in December).
@Suite("The resident's record", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ResidentRecordTests {
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
    func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// A key worker of the premises, signed in.
    func keyWorker(_ world: BedWorld) async throws -> Principal {
        let fixtures = Fixtures(pool: world.pool)
        _ = try await fixtures.staff("kim.elm", .keyWorker, premises: world.premises)
        return try await fixtures.signIn("kim.elm").principal
    }

    @Test("the resident's record holds every kind of entry, newest first; the departure summary tells the stay once")
    func residentRecord() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, beds) = try await BedWorld.make(pool, beds: 2)
            let kim = try await keyWorker(world)
            // Referred, accepted and booked from the referral; a bed; arrived with Kim as key worker.
            var details = referralDetails(crn: "R000001", arrival: "2026-12-01")
            details.roomNeeds = ["isSingle"]
            details.premisesNeeds = []
            details.offenceFlags = []
            let referrals = ReferralStore(pool: pool)
            let referral = try await referrals.create(details, by: world.referrals, today: day("2026-11-23"))
            _ = try await referrals.decide(referral.id, .accept(note: nil), expectedVersion: nil, by: world.referrals)
            let (_, booked) = try await referrals.book(
                referral.id, premisesID: world.premises, bedID: beds[0], arrival: nil, departure: nil, by: world.referrals)
            let resident = try await world.placements.arrive(
                booked.id, at: noon("2026-12-01"), keyWorkerID: kim.staffID, expectedVersion: nil, by: world.manager,
                now: noon("2026-12-01"))

            let log = CurfewStore(pool: pool)
            _ = try await log.record(
                resident.id, .init(kind: "out", occurredAt: at("2026-12-02T18:00:00Z")), by: kim, now: at("2026-12-02T18:00:00Z"))
            _ = try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T19:01:00Z"))  // the licence curfew starts at 19:00
            _ = try await NightCheckStore(pool: pool).record(
                premisesID: world.premises, dueAt: nil,
                entries: [.init(placementID: resident.id, observation: "not_in_room", note: "bed not slept in")],
                by: world.manager, now: at("2026-12-02T23:05:00Z"))
            _ = try await log.record(
                resident.id, .init(kind: "in", occurredAt: at("2026-12-02T23:30:00Z")), by: world.manager, now: at("2026-12-02T23:31:00Z"))
            _ = try await IncidentStore(pool: pool).record(
                premisesID: world.premises,
                .init(
                    kind: "missed_curfew", severity: "medium", occurredAt: at("2026-12-02T23:30:00Z"), location: "front door",
                    summary: "back four and a half hours late, smelling of alcohol", residents: [resident.id],
                    actionTaken: "breath test offered"),
                by: world.manager, now: at("2026-12-02T23:45:00Z"))
            let session = try await KeyWorkStore(pool: pool).record(
                resident.id,
                .init(
                    heldAt: at("2026-12-03T10:00:00Z"), durationMinutes: 50, kind: "relapse_prevention", topics: ["alcohol"],
                    notes: "Talked through last night", actions: [("Attend CGL drop-in", "resident", day("2026-12-05"))]), by: kim,
                now: at("2026-12-03T11:00:00Z"))
            _ = try await KeyWorkStore(pool: pool).complete(actionID: session.actions[0].id, by: kim, now: at("2026-12-05T16:00:00Z"))
            let testing = TestingStore(pool: pool)
            _ = try await testing.authorise(
                premisesID: world.premises, reasons: ["on_suspicion"], from: day("2026-11-01"), until: nil, note: "policy",
                by: world.manager)
            var test = try await testing.record(
                resident.id,
                .init(
                    reason: "on_suspicion", sampleType: "breath", requiredAt: at("2026-12-02T23:35:00Z"),
                    takenAt: at("2026-12-02T23:40:00Z")), by: world.manager, now: at("2026-12-02T23:41:00Z"))
            test = try await testing.results(
                test.id, [("alcohol", "positive", 41)], receivedAt: nil, by: world.manager, now: at("2026-12-02T23:41:00Z"))
            _ = try await testing.followUp(
                test.id, action: "referral_to_substance_services", note: "CGL", by: kim, now: at("2026-12-03T10:30:00Z"))
            let moveOn = MoveOnStore(pool: pool)
            let plan = try await moveOn.addPathway(resident.id, kind: "local_authority_housing", detail: "Manchester City Council", by: kim)
            _ = try await moveOn.updatePathway(
                plan.pathways[0].id, status: "offered", on: day("2026-12-20"), note: "one-bed flat", by: kim,
                now: at("2026-12-21T09:00:00Z"))
            _ = try await moveOn.setAddress(
                resident.id, address: "Flat 4, 2 Oak Road, Manchester M14", confirmedOn: day("2026-12-22"), by: kim,
                now: at("2026-12-22T09:00:00Z"))
            _ = try await world.placements.depart(
                resident.id, .init(departedAt: at("2026-12-28T10:00:00Z"), reason: "O", moveOnCategory: "MC02"),
                expectedVersion: nil, by: world.manager, now: at("2026-12-28T10:00:00Z"))

            let record = ResidentRecordStore(pool: pool)
            let (_, entries) = try await record.timeline(resident.id, by: kim)
            #expect(
                Set(entries.map(\.kind)) == [
                    "referral", "booking", "arrival", "key_worker", "bed", "curfew_breach", "night_check", "incident",
                    "key_work", "key_work_action", "test", "move_on", "departure",
                ])
            #expect(entries.map(\.at) == entries.map(\.at).sorted(by: >))
            #expect(entries.first?.kind == "departure")
            #expect(entries.first { $0.kind == "curfew_breach" }?.title == "Curfew breach from 19:00: back 270 minutes late")
            #expect(entries.first { $0.kind == "test" }?.title == "Test (on suspicion, breath): alcohol positive 41 µg")
            #expect(entries.first { $0.kind == "referral" }?.detail?.contains("Licence curfew: 19:00-07:00") == true)
            // Only concerns from night checks, in the premises' time.
            #expect(entries.filter { $0.kind == "night_check" }.map(\.title) == ["Night check 23:00: not in room"])

            let summary = try await record.summary(resident.id, by: kim)
            #expect(
                summary.departureReason == "Planned move-on" && summary.moveOnCategory == "Local authority / housing association - rented")
            #expect(summary.address == "Flat 4, 2 Oak Road, Manchester M14")
            #expect(summary.keyWorkSessions == 1 && summary.openActions.isEmpty && summary.testsTaken == 1 && summary.curfewBreaches == 1)
            #expect(summary.positiveOrRefused == ["2026-12-02: alcohol positive; followed up: referral to substance services"])
            #expect(summary.text.contains("Departure summary: Morgan Price (R000001)"))
            // What the next practitioner needs: each breach with how late and how it ended, and the referral's own words.
            #expect(
                summary.breaches.count == 1 && summary.breaches[0].contains("270 min late") && summary.breaches[0].contains("outcome"),
                "\(summary.breaches)")
            #expect(summary.licenceConditions == "No contact with the victim; reside at the AP")
            #expect(summary.substanceMisuse == "alcohol, in recovery" && summary.mentalHealth == "anxiety")
            #expect(summary.text.contains("Substance misuse: alcohol, in recovery") && summary.text.contains("270 min late"))

            // Staff of another premises cannot read it.
            let oak = try await Fixtures(pool: pool).premises("OAK")
            _ = try await Fixtures(pool: pool).staff("night.oak", .residentialWorker, premises: oak)
            let stranger = try await Fixtures(pool: pool).signIn("night.oak").principal
            await #expect(throws: DomainError.self) { try await record.timeline(resident.id, by: stranger) }
        }
    }
}
