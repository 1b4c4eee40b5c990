import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@testable import APServer

/// A person taken through every state the service knows, at Elm, with another resident beside
/// them; then their subject access export, its answers and who may ask for it.
@Suite("Subject access and the access log", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct SubjectAccessTests {
    /// A time on a test day, in UTC (London's winter time: the test days are in November and December).
    static func at(_ day: Int, _ time: String) -> Date { try! Date("\(testDay(day))T\(time):00Z", strategy: .iso8601) }

    /// The person's journey: their referral's id, their stay's, and the other resident's stay.
    struct Journey {
        var referral: UUID
        var stay: UUID
        var other: UUID
    }

    static func journey(_ world: TestWorld) async throws -> Journey {
        let pool = world.pool
        let admin = try await world.fixtures.signIn("admin").principal
        let manager = try await world.fixtures.signIn("manager").principal
        let kim = try await world.fixtures.signIn("keyworker").principal
        let rooms = RoomStore(pool: pool)
        let room = try await rooms.addRoom(premisesID: world.elm, name: "Room 2", floor: "1", characteristics: [], by: admin)
        let bed = try await rooms.addBed(roomID: room.id, label: "2A", inUseFrom: CalendarDate("2026-01-01")!, inUseUntil: nil, by: admin)
        let otherBed = try await rooms.addBed(
            roomID: room.id, label: "2B", inUseFrom: CalendarDate("2026-01-01")!, inUseUntil: nil, by: admin)

        // Referred, asked a question, answered, accepted and booked.
        let referrals = ReferralStore(pool: pool)
        let referral = try await referrals.create(
            ReferralDetails(
                crn: "S000001", nomsNumber: "A1234BC", personName: "Morgan Price", dateOfBirth: CalendarDate("1985-06-01")!,
                gender: "man", referrerName: "Pat Officer", referrerEmail: "pat@probation.example", releaseType: "licence",
                expectedRelease: testDay(-30), expectedArrival: testDay(-30), lengthOfStayDays: 28, roshOverall: "high",
                homeDistrict: "M14", licenceConditions: "No contact with the victim", licenceCurfewStart: "19:00",
                licenceCurfewEnd: "07:00", substanceMisuse: "alcohol, in recovery"),
            by: admin, today: testDay(-45))
        _ = try await referrals.decide(referral.id, .requestInformation(question: "Which GP?"), expectedVersion: nil, by: admin)
        _ = try await referrals.decide(referral.id, .provideInformation(answer: "Dr Shah, Fallowfield"), expectedVersion: nil, by: admin)
        _ = try await referrals.decide(referral.id, .accept(note: nil), expectedVersion: nil, by: admin)
        let (_, booked) = try await referrals.book(
            referral.id, premisesID: world.elm, bedID: bed.id, arrival: nil, departure: nil, by: admin)
        let placements = PlacementStore(pool: pool)
        let other = try await placements.book(
            NewPlacement(
                premisesID: world.elm, crn: "S000002", personName: "Alex Other", expectedArrival: testDay(-30),
                expectedDeparture: testDay(-1), bedID: otherBed.id), by: admin)
        let stay = try await placements.arrive(
            booked.id, at: at(-30, "12:00"), keyWorkerID: kim.staffID, expectedVersion: nil, by: manager, now: at(-30, "12:00"))
        _ = try await placements.arrive(
            other.id, at: at(-30, "13:00"), keyWorkerID: nil, expectedVersion: nil, by: manager, now: at(-30, "13:00"))

        // Signed out and in, the sign-in corrected; then out past the curfew, a night check, escalated, back, an outcome.
        let log = CurfewStore(pool: pool)
        _ = try await log.record(stay.id, .init(kind: "out", occurredAt: at(-28, "17:00")), by: manager, now: at(-28, "17:00"))
        let back = try await log.record(stay.id, .init(kind: "in", occurredAt: at(-28, "18:00")), by: manager, now: at(-28, "18:00"))
        _ = try await log.correct(
            back.id, with: .init(kind: "in", occurredAt: at(-28, "18:30")), reason: "signed in at the wrong time", by: manager,
            now: at(-28, "18:40"))
        _ = try await log.record(stay.id, .init(kind: "out", occurredAt: at(-27, "18:00")), by: manager, now: at(-27, "18:00"))
        let breaches = CurfewBreachStore(pool: pool)
        _ = try await breaches.scan(now: at(-27, "19:01"))
        let breach = try #require(try await breaches.list(placementID: stay.id, by: manager).first)
        _ = try await NightCheckStore(pool: pool).record(
            premisesID: world.elm, dueAt: nil,
            entries: [
                .init(placementID: stay.id, observation: "not_in_room", note: "bed not slept in"),
                .init(placementID: other.id, observation: "seen", note: nil),
            ], by: manager, now: at(-27, "23:05"))
        _ = try await breaches.escalate(
            breach.id, ppInformed: true, policeInformed: false, note: "absent", by: manager, now: at(-27, "23:10"))
        _ = try await log.record(stay.id, .init(kind: "in", occurredAt: at(-26, "01:00")), by: manager, now: at(-26, "01:00"))
        _ = try await breaches.recordOutcome(breach.id, outcome: "warning", note: "first warning", by: manager, now: at(-26, "10:00"))

        // An incident naming them and another resident.
        _ = try await IncidentStore(pool: pool).record(
            premisesID: world.elm,
            .init(
                kind: "violence_or_threats", severity: "medium", occurredAt: at(-25, "21:00"), location: "lounge",
                summary: "raised voices over the television", residents: [stay.id, other.id], staff: [manager.staffID],
                actionTaken: "separated"), by: manager, now: at(-25, "21:30"))

        // Key work, a positive test with its custody and follow-up, move-on, and departure.
        let session = try await KeyWorkStore(pool: pool).record(
            stay.id,
            .init(
                heldAt: at(-24, "10:00"), durationMinutes: 45, kind: "relapse_prevention", topics: ["alcohol"],
                notes: "Talked through the breach", actions: [("Attend CGL drop-in", "resident", testDay(-20))]), by: kim,
            now: at(-24, "11:00"))
        _ = try await KeyWorkStore(pool: pool).complete(actionID: session.actions[0].id, by: kim, now: at(-20, "16:00"))
        let testing = TestingStore(pool: pool)
        _ = try await testing.authorise(
            premisesID: world.elm, reasons: ["on_suspicion"], from: testDay(-60), until: nil, note: "policy", by: manager)
        let test = try await testing.record(
            stay.id,
            .init(
                reason: "on_suspicion", sampleType: "urine_lab", requiredAt: at(-22, "09:00"), takenAt: at(-22, "09:10"),
                sampleNumber: "LAB-77"), by: manager, now: at(-22, "09:11"))
        for (step, time) in [("sealed", "09:12"), ("sent_to_lab", "12:00"), ("received_by_lab", "16:00")] {
            _ = try await testing.custody(test.id, step: step, at: at(-22, time), person: "Kim", by: manager, now: at(-22, time))
        }
        _ = try await testing.results(test.id, [("cocaine", "positive", nil)], receivedAt: nil, by: manager, now: at(-19, "09:00"))
        _ = try await testing.followUp(test.id, action: "referral_to_substance_services", note: "CGL", by: kim, now: at(-19, "10:00"))
        let moveOn = MoveOnStore(pool: pool)
        let plan = try await moveOn.addPathway(stay.id, kind: "local_authority_housing", detail: "Manchester City Council", by: kim)
        _ = try await moveOn.updatePathway(
            plan.pathways[0].id, status: "offered", on: testDay(-10), note: "one-bed flat", by: kim, now: at(-10, "09:00"))
        _ = try await moveOn.setAddress(
            stay.id, address: "Flat 4, 2 Oak Road, Manchester M14", confirmedOn: testDay(-9), by: kim, now: at(-9, "09:00"))
        _ = try await placements.depart(
            stay.id, .init(departedAt: at(-3, "10:00"), reason: "O", moveOnCategory: "MC02"), expectedVersion: nil, by: manager,
            now: at(-3, "10:00"))
        return Journey(referral: referral.id, stay: stay.id, other: other.id)
    }

    @Test("the export holds every record of the person, in range, the other resident redacted; 204, 209, 400; 403 for other roles")
    func export() async throws {
        try await withApp { client, world in
            let journey = try await Self.journey(world)
            // Staff read the record and the referral (the access log then holds both).
            let read = try await client.execute(uri: "/placements/\(journey.stay)/record", method: .get, headers: world.headers("manager"))
            #expect(read.status == .ok, "\(read.text)")

            let response = try await client.execute(uri: "/subject-access-request?crn=S000001", method: .get, headers: world.headers("sar"))
            #expect(response.status == .ok, "\(response.text)")
            let content = try #require(try response.json()["content"] as? [String: Any])
            #expect(content["crn"] as? String == "S000001" && content["names"] as? [String] == ["Morgan Price"])
            let sections = try #require(content["sections"] as? [[String: Any]])
            func records(_ name: String) -> [[String: Any]] {
                sections.first { $0["name"] as? String == name }?["records"] as? [[String: Any]] ?? []
            }
            let counts = Dictionary(uniqueKeysWithValues: sections.map { ($0["name"] as! String, ($0["records"] as! [Any]).count) })
            // Every section of the catalogue but transfers, appeals, date changes and variations (this journey has none):
            // five entries in the curfew log with the correction, five custody steps (taken and sealed are the test's own).
            let expected: [String: Int] = [
                "referrals": 1, "referralTimeline": 5, "placements": 1, "bedAllocations": 1, "keyWorkers": 1, "curfewLog": 5,
                "curfewBreaches": 1, "nightChecks": 1, "incidents": 1, "keyWorkSessions": 1, "keyWorkActions": 1, "tests": 1,
                "testCustody": 5, "testResults": 1, "testFollowUps": 1, "moveOnPlans": 1, "moveOnPathways": 1, "moveOnUpdates": 2,
                "accessLog": 1,
            ]
            for (name, count) in expected { #expect(counts[name] == count, "\(name): \(counts[name] ?? -1)") }
            #expect((counts["notifications"] ?? 0) >= 1 && (counts["changes"] ?? 0) >= 10, "\(counts)")
            #expect(counts.count == SubjectAccessCatalogue.sections.count + 1)

            // The corrected sign-in is there with its correction; the breach with its outcome; staff by name and role.
            #expect(records("curfewLog").contains { $0["correction_reason"] as? String == "signed in at the wrong time" })
            #expect(records("curfewLog").allSatisfy { $0["recorded_by"] as? String == "Manager (AP manager)" })
            #expect(records("curfewBreaches").first?["outcome"] as? String == "warning")
            #expect(records("testResults").first?["result"] as? String == "positive")
            // The other resident is "another resident", wherever they would appear; their name, CRN and stay nowhere.
            #expect(records("incidents").first?["residents"] as? [String] == [journey.stay.uuidString.lowercased(), "another resident"])
            let text = response.text
            for leak in ["Alex Other", "S000002", journey.other.uuidString.lowercased()] {
                #expect(!text.contains(leak), "the export names \(leak)")
            }
            #expect(records("accessLog").first?["what"] as? String == "resident_record")

            // A range keeps the records of those days only.
            let ranged = try await client.execute(
                uri: "/subject-access-request?crn=S000001&fromDate=\(testDay(-26))&toDate=\(testDay(-24))", method: .get,
                headers: world.headers("sar"))
            let rangedSections = try #require((try ranged.json()["content"] as? [String: Any])?["sections"] as? [[String: Any]])
            let rangedCounts = Dictionary(
                uniqueKeysWithValues: rangedSections.map { ($0["name"] as! String, ($0["records"] as! [Any]).count) })
            #expect(rangedCounts["curfewLog"] == 1 && rangedCounts["incidents"] == 1 && rangedCounts["keyWorkSessions"] == 1)
            #expect(rangedCounts["nightChecks"] == 0 && rangedCounts["tests"] == 0 && rangedCounts["placements"] == 1, "\(rangedCounts)")

            // 204 for a person not held (or nothing in the range), 209 for a prison number alone, 400 for neither.
            for (uri, status) in [
                ("/subject-access-request?crn=Z999999", 204), ("/subject-access-request?crn=S000001&toDate=2020-01-01", 204),
                ("/subject-access-request?prn=A1234BC", 209), ("/subject-access-request", 400),
                ("/subject-access-request?crn=s1", 400), ("/subject-access-request?crn=S000001&fromDate=2026-02-30", 400),
                ("/subject-access-request?crn=S000001&fromDate=\(testDay(-1))&toDate=\(testDay(-9))", 422),
            ] {
                let answer = try await client.execute(uri: uri, method: .get, headers: world.headers("admin"))
                #expect(answer.status.code == status, "\(uri): \(answer.status) \(answer.text)")
                if status >= 400 { #expect(answer.headers[.contentType] == "application/problem+json") }
            }
            // Every other role is refused: 403 (a practitioner is told there is nothing there).
            for username in ["manager", "night", "keyworker", "referrals", "regional", "oak.manager", "pp"] {
                let answer = try await client.execute(
                    uri: "/subject-access-request?crn=S000001", method: .get, headers: world.headers(username))
                #expect(answer.status == (username == "pp" ? .notFound : .forbidden), "\(username): \(answer.status)")
            }
        }
    }

    @Test("every read of a person's record leaves one access-log row, listed by person; the log is append-only in the database")
    func accessLog() async throws {
        try await withApp { client, world in
            let journey = try await Self.journey(world)
            func rows() async throws -> Int64 {
                try await world.pool.query("SELECT count(*) AS n FROM access_event WHERE crn = 'S000001'").first!.decode("n")
            }
            let reads: [(String, String)] = [
                ("manager", "/placements/\(journey.stay)/record"), ("manager", "/placements/\(journey.stay)/departure-summary"),
                ("manager", "/placements/\(journey.stay)/departure-summary/text"), ("admin", "/referrals/\(journey.referral)"),
                ("admin", "/referrals/\(journey.referral)/progress"), ("admin", "/referrals/\(journey.referral)/departure-summary"),
                ("sar", "/subject-access-request?crn=S000001"),
            ]
            for (username, uri) in reads {
                let before = try await rows()
                let answer = try await client.execute(uri: uri, method: .get, headers: world.headers(username))
                #expect(answer.status == .ok, "\(uri): \(answer.status) \(answer.text)")
                let after = try await rows()
                #expect(after == before + 1, "\(uri) left \(after - before) rows")
            }
            let listed = try await client.execute(uri: "/audit/access?crn=S000001", method: .get, headers: world.headers("admin"))
            let items = try #require(try listed.json()["items"] as? [[String: Any]])
            #expect(
                items.compactMap { $0["what"] as? String } == [
                    "subject_access_export", "departure_summary", "referral_progress", "referral", "departure_summary",
                    "departure_summary", "resident_record",
                ])
            #expect(items.first?["username"] as? String == "sar" && items.first?["role"] as? String == "sar_officer")
            #expect(items.last?["placementId"] as? String == journey.stay.uuidString.lowercased())
            let refused = try await client.execute(uri: "/audit/access?crn=S000001", method: .get, headers: world.headers("manager"))
            #expect(refused.status == .forbidden)

            for statement in ["UPDATE access_event SET crn = 'Z000000'", "DELETE FROM access_event", "TRUNCATE access_event"] {
                await #expect(throws: PostgresError.self, "\(statement)") { try await world.pool.execute(SQL(unsafeSQL: statement)) }
            }
            #expect(try await rows() == Int64(reads.count))
        }
    }

    @Test("ap sar writes the JSON or a printable HTML report; ap audit access lists who read; both refused to other roles")
    func commandLine() async throws {
        try await withApp(.live) { client, world in
            _ = try await Self.journey(world)
            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let sar = try await CommandLineTests.signedIn("sar", to: client, in: folder, world.fixtures)
            let admin = try await CommandLineTests.signedIn("admin", to: client, in: folder, world.fixtures)
            let manager = try await CommandLineTests.signedIn("manager", to: client, in: folder, world.fixtures)

            var run = try await CommandLineTests.ap(["sar", "S000001"], config: sar)
            #expect(run.status == 0 && run.output.contains("\"crn\" : \"S000001\"") && run.output.contains("Morgan Price"), "\(run.output)")
            #expect(run.output.contains("another resident") && !run.output.contains("Alex Other"))
            let report = folder.appendingPathComponent("S000001.html").path
            run = try await CommandLineTests.ap(
                ["sar", "S000001", "--from", "\(testDay(-26))", "--to", "\(testDay(-24))", "--html", "--output", report], config: sar)
            #expect(run.status == 0 && run.output.contains("Wrote") && run.output.contains(report), "\(run.output)")
            let html = try String(contentsOfFile: report, encoding: .utf8)
            #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<h1>Subject access export: S000001</h1>"))
            #expect(html.contains("Incidents that name the person") && html.contains("raised voices over the television"))
            #expect(html.contains("Records from \(testDay(-26)) to \(testDay(-24))") && !html.contains("bed not slept in"))

            run = try await CommandLineTests.ap(["sar", "Z999999"], config: sar)
            #expect(run.status == 0 && run.output.contains("Nothing is held about Z999999"), "\(run.output)")
            run = try await CommandLineTests.ap(["sar", "s1"], config: sar)
            #expect(run.status != 0 && run.output.contains("capital letter and six digits"), "\(run.output)")
            run = try await CommandLineTests.ap(["sar", "S000001"], config: manager)
            #expect(run.status != 0 && run.output.contains("may not"), "\(run.output)")

            run = try await CommandLineTests.ap(["audit", "access", "S000001"], config: admin)
            #expect(run.status == 0, "\(run.output)")
            let lines = run.output.split(separator: "\n")
            #expect(lines.count == 3 && lines[1].contains("Sar (sar)") && lines[1].contains("subject access export"), "\(run.output)")
            run = try await CommandLineTests.ap(["audit", "access", "S000001"], config: sar)
            #expect(run.status != 0, "\(run.output)")
        }
    }
}
