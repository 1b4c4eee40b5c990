import ApprovedPremises
import Foundation
import Postgres
import Testing
import TestSupport

/// Key work, testing, move-on and the resident's record, at Elm (London: UTC in December).
@Suite("Key work, testing, move-on and the resident's record", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ResidentWorkTests {
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
    func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// A key worker of the premises, signed in.
    func keyWorker(_ world: BedWorld) async throws -> Principal {
        let fixtures = Fixtures(pool: world.pool)
        _ = try await fixtures.staff("kim.elm", .keyWorker, premises: world.premises)
        return try await fixtures.signIn("kim.elm").principal
    }

    @Test("an overdue key-work session and a past-due action are listed, for the key worker and the manager")
    func keyWorkDue() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 3)
            let people = try await world.residents(["A000001", "A000002", "A000003"])
            let kim = try await keyWorker(world)
            let store = KeyWorkStore(pool: pool)
            _ = try await store.assignKeyWorker(people[0].id, staffID: kim.staffID, by: world.manager)
            _ = try await store.assignKeyWorker(people[1].id, staffID: kim.staffID, by: world.manager)
            // Someone who does not work here as a key worker is refused.
            await #expect(throws: DomainError.self) { try await store.assignKeyWorker(people[2].id, staffID: world.admin.staffID, by: world.manager) }

            // A: no session since arriving on the 1st, so due on the 8th. B: seen on the 5th, next on the 9th,
            // with an action due on the 7th. C: seen on the 10th, next due on the 17th.
            let session = try await store.record(people[1].id, .init(
                heldAt: at("2026-12-05T10:00:00Z"), durationMinutes: 45, kind: "one_to_one", topics: ["work", "family"],
                notes: "Settling in; wants to see his daughter", nextSessionOn: day("2026-12-09"),
                actions: [("Book GP registration", "resident", day("2026-12-07")), ("Call CGL about a worker", "key worker", day("2026-12-20"))]),
                by: kim, now: at("2026-12-05T11:00:00Z"))
            #expect(session.actions.map(\.owner) == ["resident", "key worker"])
            _ = try await store.record(people[2].id, .init(heldAt: at("2026-12-10T10:00:00Z"), durationMinutes: 30, kind: "induction",
                                                           notes: "House rules, curfew, key work explained"), by: world.manager, now: at("2026-12-10T11:00:00Z"))

            let due = try await store.due(premisesID: world.premises, keyWorkerID: nil, by: world.manager, now: at("2026-12-12T09:00:00Z"))
            #expect(due.sessions.map(\.personName) == ["Person A000001", "Person A000002"])
            #expect(due.sessions.map(\.daysOverdue) == [4, 3])
            #expect(due.sessions.map(\.dueOn) == [day("2026-12-08"), day("2026-12-09")])
            #expect(due.actions.map(\.action) == ["Book GP registration"])
            let mine = try await store.due(premisesID: world.premises, keyWorkerID: kim.staffID, by: kim, now: at("2026-12-12T09:00:00Z"))
            #expect(mine.sessions.count == 2 && mine.sessions.allSatisfy { $0.keyWorker == "Kim.Elm" })

            let done = try await store.complete(actionID: session.actions[0].id, by: kim, now: at("2026-12-12T10:00:00Z"))
            #expect(done.doneBy == "Kim.Elm")
            await #expect(throws: DomainError.self) { try await store.complete(actionID: session.actions[0].id, by: kim) }
            #expect(try await store.due(premisesID: world.premises, keyWorkerID: nil, by: world.manager, now: at("2026-12-12T11:00:00Z")).actions.isEmpty)
            await #expect(throws: DomainError(.conflict, "this record is append-only: it cannot be changed or removed")) {
                try await ConstraintViolations.translating { try await pool.execute("UPDATE key_work_session SET notes = 'rewritten'") }
            }
            let history: Int64 = try await pool.query("SELECT count(*) AS n FROM key_worker_assignment WHERE placement_id = \(people[0].id)").first!.decode("n")
            #expect(history == 1)
        }
    }

    @Test("a laboratory test's chain of custody, in order, with the result days later; pending until then")
    func chainOfCustody() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 1)
            let resident = try await world.residents(["T000001"])[0]
            let kim = try await keyWorker(world)
            let testing = TestingStore(pool: pool)
            // No authorisation yet: refused.
            await #expect(throws: DomainError.self) {
                try await testing.record(resident.id, .init(reason: "random", sampleType: "urine_lab", requiredAt: at("2026-12-02T10:00:00Z"),
                                                            takenAt: at("2026-12-02T10:00:00Z"), sampleNumber: "S-1001"), by: kim, now: at("2026-12-02T10:05:00Z"))
            }
            await #expect(throws: DomainError.self) {
                try await testing.authorise(premisesID: world.premises, reasons: ["random"], from: day("2026-11-01"), until: nil, note: "x", by: kim)
            }
            _ = try await testing.authorise(premisesID: world.premises, reasons: ["random", "on_suspicion", "on_arrival"], from: day("2026-11-01"),
                                            until: nil, note: "Testing policy agreed with the regional manager, v3", by: world.manager)

            var test = try await testing.record(resident.id, .init(reason: "random", sampleType: "urine_lab", requiredAt: at("2026-12-02T10:00:00Z"),
                                                                   takenAt: at("2026-12-02T10:00:00Z"), sampleNumber: "S-1001"),
                                                by: kim, now: at("2026-12-02T10:05:00Z"))
            #expect(test.custody.map(\.step) == [.collected])
            #expect(test.awaitingResults)
            // Results cannot come before the laboratory has the sample; a step cannot come before the one it follows.
            await #expect(throws: DomainError.self) {
                try await testing.results(test.id, [("cannabis", "positive", nil)], receivedAt: nil, by: kim, now: at("2026-12-02T11:00:00Z"))
            }
            await #expect(throws: DomainError.self) {
                try await testing.custody(test.id, step: "sent_to_lab", at: at("2026-12-02T16:00:00Z"), person: "courier", by: kim, now: at("2026-12-02T16:00:00Z"))
            }
            do {
                _ = try await testing.custody(test.id, step: "sealed", at: at("2026-12-02T09:00:00Z"), person: "Kim", by: kim, now: at("2026-12-02T10:10:00Z"))
                Issue.record("a step before the one it follows was recorded")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["at"], "\(error)")
            }
            test = try await testing.custody(test.id, step: "sealed", at: at("2026-12-02T10:06:00Z"), person: "Kim (key worker)", by: kim, now: at("2026-12-02T10:10:00Z"))
            test = try await testing.custody(test.id, step: "sent_to_lab", at: at("2026-12-02T16:00:00Z"), person: "DX courier", by: kim, now: at("2026-12-02T16:05:00Z"))
            test = try await testing.custody(test.id, step: "received_by_lab", at: at("2026-12-03T09:00:00Z"), person: "Hilltop Laboratory", by: kim, now: at("2026-12-03T12:00:00Z"))

            let pending = try await testing.tests(premisesID: world.premises, pendingOnly: true, by: world.manager, now: at("2026-12-10T09:00:00Z"))
            #expect(pending.map(\.id) == [test.id])
            #expect(try await testing.tests(premisesID: world.premises, pendingOnly: true, by: world.manager, now: at("2026-12-05T09:00:00Z")).isEmpty)

            test = try await testing.results(test.id, [("cannabis", "positive", nil), ("opiates", "negative", nil), ("buprenorphine", "positive_prescribed", nil)],
                                             receivedAt: at("2026-12-09T14:30:00Z"), by: kim, now: at("2026-12-10T09:00:00Z"))
            #expect(test.custody.map(\.step) == [.collected, .sealed, .sentToLab, .receivedByLab, .resultReceived])
            #expect(test.custody.last?.at == at("2026-12-09T14:30:00Z"))
            #expect(Dictionary(uniqueKeysWithValues: test.results.map { ($0.substance, $0.result) })
                    == [.cannabis: .positive, .opiates: .negative, .buprenorphine: .positivePrescribed])
            #expect(test.needsFollowUp)
            #expect(try await testing.tests(premisesID: world.premises, pendingOnly: true, by: world.manager, now: at("2026-12-10T09:00:00Z")).isEmpty)
            await #expect(throws: DomainError.self) {
                try await testing.results(test.id, [("cocaine", "negative", nil)], receivedAt: nil, by: kim, now: at("2026-12-10T09:00:00Z"))
            }
        }
    }

    @Test("a test not done is recorded as missed with its reason; a refused test shows as refused and is followed up")
    func missedAndRefused() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 1)
            let resident = try await world.residents(["T000002"])[0]
            let testing = TestingStore(pool: pool)
            _ = try await testing.authorise(premisesID: world.premises, reasons: ["random", "on_suspicion"], from: day("2026-11-01"), until: nil,
                                            note: "policy v3", by: world.manager)
            // Never blank: neither taken nor a reason is refused, naming the field.
            do {
                _ = try await testing.record(resident.id, .init(reason: "random", sampleType: "breath", requiredAt: at("2026-12-04T21:00:00Z")),
                                             by: world.manager, now: at("2026-12-04T21:30:00Z"))
                Issue.record("a blank test was recorded")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["missedReason"])
            }
            let missed = try await testing.record(resident.id, .init(reason: "random", sampleType: "breath", requiredAt: at("2026-12-04T21:00:00Z"),
                                                                     missedReason: "no_kit", missedNote: "breathalyser mouthpieces ran out"),
                                                  by: world.manager, now: at("2026-12-04T21:30:00Z"))
            #expect(missed.missedReason == .noKit && missed.takenAt == nil)
            await #expect(throws: DomainError.self) {
                try await testing.results(missed.id, [("alcohol", "negative", 0)], receivedAt: nil, by: world.manager)
            }

            var refused = try await testing.record(resident.id, .init(reason: "on_suspicion", sampleType: "oral_fluid", requiredAt: at("2026-12-05T22:00:00Z"),
                                                                      takenAt: at("2026-12-05T22:05:00Z")), by: world.manager, now: at("2026-12-05T22:10:00Z"))
            refused = try await testing.results(refused.id, [("whole_sample", "refused", nil)], receivedAt: nil, by: world.manager, now: at("2026-12-05T22:10:00Z"))
            #expect(refused.results.map(\.result) == [.refused])
            #expect(refused.needsFollowUp)
            refused = try await testing.followUp(refused.id, action: "warning", note: "written warning; PP told", by: world.manager, now: at("2026-12-06T10:00:00Z"))
            refused = try await testing.followUp(refused.id, action: "reported_to_pp", note: nil, by: world.manager, now: at("2026-12-06T10:05:00Z"))
            #expect(refused.followUps.map(\.action) == [.warning, .reportedToPP])
            #expect(!refused.needsFollowUp)

            var clean = try await testing.record(resident.id, .init(reason: "random", sampleType: "breath", requiredAt: at("2026-12-06T21:00:00Z"),
                                                                    takenAt: at("2026-12-06T21:00:00Z")), by: world.manager, now: at("2026-12-06T21:05:00Z"))
            clean = try await testing.results(clean.id, [("alcohol", "negative", 0)], receivedAt: nil, by: world.manager, now: at("2026-12-06T21:05:00Z"))
            await #expect(throws: DomainError.self) { try await testing.followUp(clean.id, action: "warning", note: nil, by: world.manager) }
            let all = try await testing.tests(placementID: resident.id, by: world.manager)
            #expect(all.map(\.id) == [clean.id, refused.id, missed.id])
        }
    }

    @Test("a resident within four weeks of leaving with no address is flagged; an address clears it; the departure closes the plan")
    func moveOnFlag() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            let soon = try await world.residents(["M000001"])[0]  // leaves on 20 December
            let later = try await world.placements.book(NewPlacement(premisesID: world.premises, crn: "M000002", personName: "Person M000002",
                                                                     expectedArrival: day("2026-12-01"), expectedDeparture: day("2027-03-01")), by: world.manager)
            _ = try await world.placements.arrive(later.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: world.manager)
            let moveOn = MoveOnStore(pool: pool)
            var plan = try await moveOn.plan(soon.id, by: world.manager)
            #expect(plan.targetDate == day("2026-12-20") && plan.address == nil)

            plan = try await moveOn.addPathway(soon.id, kind: "cas3_referral", detail: "CAS3 Manchester", by: world.manager, now: at("2026-12-02T10:00:00Z"))
            plan = try await moveOn.updatePathway(plan.pathways[0].id, status: "applied", on: day("2026-12-02"), note: "referral sent", by: world.manager,
                                                  now: at("2026-12-02T10:00:00Z"))
            #expect(plan.pathways.map(\.status) == [.applied])

            // On 21 November the stay is still more than four weeks from its end; from the 22nd it is flagged.
            #expect(try await moveOn.flags(premisesID: world.premises, keyWorkerID: nil, by: world.manager, now: at("2026-11-21T12:00:00Z")).isEmpty)
            let flags = try await moveOn.flags(premisesID: world.premises, keyWorkerID: nil, by: world.manager, now: at("2026-12-02T12:00:00Z"))
            #expect(flags.map(\.personName) == ["Person M000001"])
            #expect(flags.first?.daysLeft == 18)
            #expect(flags.first?.pathways == ["cas3_referral: applied"])

            plan = try await moveOn.setAddress(soon.id, address: "Flat 2, 10 Hope Street, Manchester M14", confirmedOn: day("2026-12-10"), by: world.manager,
                                               now: at("2026-12-10T12:00:00Z"))
            #expect(try await moveOn.flags(premisesID: world.premises, keyWorkerID: nil, by: world.manager, now: at("2026-12-10T12:00:00Z")).isEmpty)

            _ = try await world.placements.depart(soon.id, .init(departedAt: at("2026-12-20T10:00:00Z"), reason: "O", moveOnCategory: "MC04"),
                                                  expectedVersion: nil, by: world.manager)
            plan = try await moveOn.plan(soon.id, by: world.manager)
            #expect(plan.closedAt == at("2026-12-20T10:00:00Z") && plan.moveOnCategory == "MC04")
            await #expect(throws: DomainError.self) {
                try await moveOn.addPathway(soon.id, kind: "family", detail: nil, by: world.manager)
            }
        }
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
            let (_, booked) = try await referrals.book(referral.id, premisesID: world.premises, bedID: beds[0], arrival: nil, departure: nil, by: world.referrals)
            let resident = try await world.placements.arrive(booked.id, at: noon("2026-12-01"), keyWorkerID: kim.staffID, expectedVersion: nil, by: world.manager)

            let log = MovementLog(pool: pool)
            _ = try await log.record(resident.id, .init(kind: "out", occurredAt: at("2026-12-02T18:00:00Z")), by: kim, now: at("2026-12-02T18:00:00Z"))
            _ = try await CurfewBreaches.scan(pool: pool, now: at("2026-12-02T19:01:00Z"))  // the licence curfew starts at 19:00
            _ = try await NightCheckStore(pool: pool).record(premisesID: world.premises, dueAt: nil,
                                                             entries: [.init(placementID: resident.id, observation: "not_in_room", note: "bed not slept in")],
                                                             by: world.manager, now: at("2026-12-02T23:05:00Z"))
            _ = try await log.record(resident.id, .init(kind: "in", occurredAt: at("2026-12-02T23:30:00Z")), by: world.manager, now: at("2026-12-02T23:31:00Z"))
            _ = try await IncidentStore(pool: pool).record(premisesID: world.premises, .init(
                kind: "missed_curfew", severity: "medium", occurredAt: at("2026-12-02T23:30:00Z"), location: "front door",
                summary: "back four and a half hours late, smelling of alcohol", residents: [resident.id], actionTaken: "breath test offered"),
                by: world.manager, now: at("2026-12-02T23:45:00Z"))
            let session = try await KeyWorkStore(pool: pool).record(resident.id, .init(
                heldAt: at("2026-12-03T10:00:00Z"), durationMinutes: 50, kind: "relapse_prevention", topics: ["alcohol"],
                notes: "Talked through last night", actions: [("Attend CGL drop-in", "resident", day("2026-12-05"))]), by: kim, now: at("2026-12-03T11:00:00Z"))
            _ = try await KeyWorkStore(pool: pool).complete(actionID: session.actions[0].id, by: kim, now: at("2026-12-05T16:00:00Z"))
            let testing = TestingStore(pool: pool)
            _ = try await testing.authorise(premisesID: world.premises, reasons: ["on_suspicion"], from: day("2026-11-01"), until: nil, note: "policy", by: world.manager)
            var test = try await testing.record(resident.id, .init(reason: "on_suspicion", sampleType: "breath", requiredAt: at("2026-12-02T23:35:00Z"),
                                                                   takenAt: at("2026-12-02T23:40:00Z")), by: world.manager, now: at("2026-12-02T23:41:00Z"))
            test = try await testing.results(test.id, [("alcohol", "positive", 41)], receivedAt: nil, by: world.manager, now: at("2026-12-02T23:41:00Z"))
            _ = try await testing.followUp(test.id, action: "referral_to_substance_services", note: "CGL", by: kim, now: at("2026-12-03T10:30:00Z"))
            let moveOn = MoveOnStore(pool: pool)
            let plan = try await moveOn.addPathway(resident.id, kind: "local_authority_housing", detail: "Manchester City Council", by: kim)
            _ = try await moveOn.updatePathway(plan.pathways[0].id, status: "offered", on: day("2026-12-20"), note: "one-bed flat", by: kim, now: at("2026-12-21T09:00:00Z"))
            _ = try await moveOn.setAddress(resident.id, address: "Flat 4, 2 Oak Road, Manchester M14", confirmedOn: day("2026-12-22"), by: kim, now: at("2026-12-22T09:00:00Z"))
            _ = try await world.placements.depart(resident.id, .init(departedAt: at("2026-12-28T10:00:00Z"), reason: "O", moveOnCategory: "MC02"),
                                                  expectedVersion: nil, by: world.manager)

            let record = ResidentRecord(pool: pool)
            let (_, entries) = try await record.timeline(resident.id, by: kim)
            #expect(Set(entries.map(\.kind)) == ["referral", "booking", "arrival", "key_worker", "bed", "curfew_breach", "night_check", "incident",
                                                 "key_work", "key_work_action", "test", "move_on", "departure"])
            #expect(entries.map(\.at) == entries.map(\.at).sorted(by: >))
            #expect(entries.first?.kind == "departure")
            #expect(entries.first { $0.kind == "curfew_breach" }?.title == "Curfew breach from 19:00: back 270 minutes late")
            #expect(entries.first { $0.kind == "test" }?.title == "Test (on suspicion, breath): alcohol positive 41 µg")
            #expect(entries.first { $0.kind == "referral" }?.detail?.contains("Licence curfew: 19:00-07:00") == true)
            // Only concerns from night checks, in the premises' time.
            #expect(entries.filter { $0.kind == "night_check" }.map(\.title) == ["Night check 23:00: not in room"])

            let summary = try await record.summary(resident.id, by: kim)
            #expect(summary.departureReason == "Planned move-on" && summary.moveOnCategory == "Local authority / housing association - rented")
            #expect(summary.address == "Flat 4, 2 Oak Road, Manchester M14")
            #expect(summary.keyWorkSessions == 1 && summary.openActions.isEmpty && summary.testsTaken == 1 && summary.curfewBreaches == 1)
            #expect(summary.positiveOrRefused == ["2026-12-02: alcohol positive; followed up: referral to substance services"])
            #expect(summary.text.contains("Departure summary: Morgan Price (R000001)"))

            // Staff of another premises cannot read it.
            let oak = try await Fixtures(pool: pool).premises("OAK")
            _ = try await Fixtures(pool: pool).staff("night.oak", .residentialWorker, premises: oak)
            let stranger = try await Fixtures(pool: pool).signIn("night.oak").principal
            await #expect(throws: DomainError.self) { try await record.timeline(resident.id, by: stranger) }
        }
    }
}
