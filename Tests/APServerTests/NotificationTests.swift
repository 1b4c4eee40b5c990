import ApprovedPremises
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Postgres
import TestSupport
import Testing

@testable import APServer

/// The outbox and its delivery through a real mail transfer agent's sendmail interface (msmtp)
/// to a real SMTP server (aiosmtpd), read back from what the server kept.
@Suite(
    "Notifications by e-mail through the outbox and the mail transfer agent",
    .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct NotificationTests {
    /// The delivery job as `ap serve` runs it, handing messages to `sink`.
    static func job(
        _ pool: PostgresPool, sink: MailSink, retry: NotificationStore.RetryPolicy = .init(firstRetry: .milliseconds(200))
    ) throws -> MailJob {
        var settings = MailSettings()
        settings.sendmail = sink.sendmail
        settings.domain = "ap.test"
        settings.retry = retry
        var logger = Logger(label: "mail")
        logger.logLevel = .critical
        return try MailJob(
            store: NotificationStore(pool: pool), settings: settings, publicURL: "https://ap.test", status: MailJobStatus(), logger: logger)
    }

    static func setMailboxes(_ client: some TestClientProtocol, _ world: TestWorld) async throws {
        for (kind, scope, address) in [
            ("cru", ["region": "NW"], "cru.nw@probation.example"), ("out_of_hours", ["region": "NW"], "ooh.nw@probation.example"),
            ("premises", ["premises": "ELM"], "elm@ap.example"),
        ] {
            do {
                let response = try await client.execute(
                    uri: "/mailboxes", method: .put, headers: world.headers("admin"),
                    body: json(scope.merging(["kind": kind, "address": address]) { a, _ in a })
                )
                #expect(response.status == .ok, "\(response.text)")
            }
        }
    }

    /// The next curfew start at Elm (23:00 in London) at least two hours from now.
    static func nextCurfew(after now: Date = Date()) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Premises.defaultTimeZone
        var start = calendar.date(bySettingHour: 23, minute: 0, second: 0, of: now)!
        if start < now.addingTimeInterval(7_200) { start = calendar.date(byAdding: .day, value: 1, to: start)! }
        return start
    }

    @Test("each event writes exactly the expected messages, and one pass delivers them: To, Subject, link, no risk or health text")
    func everyEvent() async throws {
        try await withApp { client, world in
            let pool = world.pool
            try await Self.setMailboxes(client, world)
            let admin = try await world.fixtures.signIn("admin").principal
            let referrals = ReferralStore(pool: pool)
            let placements = PlacementStore(pool: pool)
            let rooms = RoomStore(pool: pool)
            let room = try await rooms.addRoom(premisesID: world.elm, name: "Room 9", floor: "1", characteristics: [], by: admin)
            var bedNumber = 10
            func newBed() async throws -> UUID {
                bedNumber += 1
                return try await rooms.addBed(
                    roomID: room.id, label: "\(bedNumber)", inUseFrom: CalendarDate("2026-01-01")!, inUseUntil: nil, by: admin
                ).id
            }
            func referral(_ crn: String, arrival: CalendarDate = testDay(40)) async throws -> Referral {
                try await referrals.create(
                    ReferralDetails(
                        crn: crn, personName: "Person \(crn)", dateOfBirth: CalendarDate("1980-01-01")!, gender: "man",
                        referrerName: "PP \(crn)", referrerEmail: "pp.\(crn.lowercased())@probation.example", referrerRegion: "NW",
                        releaseType: "licence", expectedArrival: arrival, lengthOfStayDays: 14, roshOverall: "high",
                        homeDistrict: "M14", substanceMisuse: "SECRET-HEALTH-TEXT", riskToStaff: "SECRET-RISK-TEXT"),
                    by: admin, today: testDay(1))
            }
            func stay(_ crn: String, from arrival: CalendarDate, to departure: CalendarDate) async throws -> UUID {
                let made = try await referral(crn, arrival: arrival)
                _ = try await referrals.decide(made.id, .accept(note: nil), expectedVersion: nil, by: admin)
                let (_, placement) = try await referrals.book(
                    made.id, premisesID: world.elm, bedID: try await newBed(), arrival: arrival, departure: departure, by: admin)
                return placement.id
            }
            let before = try await pool.query("SELECT count(*)::integer AS n FROM notification")[0].decode("n", as: Int.self)

            // A referral asked about, answered, accepted, offered, and found no premises; another rejected.
            let asked = try await referral("N000001")
            _ = try await referrals.decide(asked.id, .requestInformation(question: "SECRET-QUESTION"), expectedVersion: nil, by: admin)
            _ = try await referrals.decide(asked.id, .provideInformation(answer: "an answer"), expectedVersion: nil, by: admin)
            _ = try await referrals.decide(asked.id, .accept(note: nil), expectedVersion: nil, by: admin)
            _ = try await referrals.offer(asked.id, to: world.elm, by: admin)
            _ = try await referrals.decide(asked.id, .unableToMatch(reason: "SECRET-REASON"), expectedVersion: nil, by: admin)
            let rejected = try await referral("N000002")
            _ = try await referrals.decide(rejected.id, .reject(reason: "SECRET-REASON"), expectedVersion: nil, by: admin)
            // Stays: booked, dates changed, cancelled, not arrived, arrived then gone early, and one
            // due to leave within four weeks with no address.
            let changed = try await stay("N000003", from: testDay(20), to: testDay(40))
            _ = try await placements.changeDates(changed, arrival: testDay(21), departure: nil, expectedVersion: nil, by: admin)
            let cancelled = try await stay("N000004", from: testDay(20), to: testDay(40))
            try await placements.cancel(cancelled, reason: "ALTERNATIVE_AP", notes: "SECRET-NOTE", expectedVersion: nil, by: admin)
            let missing = try await stay("N000005", from: testDay(0), to: testDay(20))
            _ = try await placements.recordNonArrival(missing, reason: "A", notes: "SECRET-NOTE", expectedVersion: nil, by: admin)
            let early = try await stay("N000006", from: testDay(1), to: testDay(30))
            _ = try await placements.arrive(early, at: Date(), keyWorkerID: nil, expectedVersion: nil, by: admin)
            _ = try await placements.depart(
                early, .init(departedAt: Date(), reason: "H", notes: "SECRET-NOTE"), expectedVersion: nil, by: admin)
            let leaving = try await stay("N000007", from: testDay(1), to: testDay(15))
            _ = try await placements.arrive(leaving, at: Date(), keyWorkerID: nil, expectedVersion: nil, by: admin)
            // Out at curfew: the breach job opens the breach, staff escalate it, and record its outcome.
            let curfew = Self.nextCurfew()
            let out = try await stay("N000008", from: testDay(1), to: testDay(60))
            _ = try await placements.arrive(out, at: Date(), keyWorkerID: nil, expectedVersion: nil, by: admin)
            _ = try await CurfewStore(pool: pool).record(
                out, .init(kind: "out", occurredAt: curfew.addingTimeInterval(-3_600)), by: admin, now: curfew.addingTimeInterval(-3_600))
            #expect(try await CurfewBreachStore(pool: pool).scan(now: curfew.addingTimeInterval(1_800)) == 1)
            let breach = try #require(try await CurfewBreachStore(pool: pool).list(placementID: out, by: admin).first)
            _ = try await CurfewBreachStore(pool: pool).escalate(
                breach.id, ppInformed: true, policeInformed: false, note: "SECRET-NOTE", by: admin, now: curfew.addingTimeInterval(7_200))
            _ = try await CurfewBreachStore(pool: pool).recordOutcome(
                breach.id, outcome: "warning", note: "SECRET-NOTE", by: admin, now: curfew.addingTimeInterval(9_000))

            let sink = try await MailSink.start()
            let job = try Self.job(pool, sink: sink)
            let handedOver = try await job.pass()
            let written =
                try await pool.query("SELECT count(*)::integer AS n FROM notification WHERE state = 'sent'")[0].decode("n", as: Int.self)
            let mail = try await sink.waitForMail(count: handedOver)
            await sink.stop()
            #expect(handedOver == written)
            #expect(mail.count == handedOver)

            let pp = { (crn: String) in "pp.\(crn.lowercased())@probation.example" }
            let cru = "cru.nw@probation.example"
            let elm = "elm@ap.example"
            var expected: [String] = [
                "\(pp("N000001")) referral_received", "\(pp("N000001")) information_requested",
                "\(pp("N000001")) referral_accepted", "\(elm) referral_offered", "\(cru) referral_unable_to_match",
                "\(pp("N000002")) referral_received", "\(pp("N000002")) referral_rejected",
            ]
            for crn in ["N000003", "N000004", "N000005", "N000006", "N000007", "N000008"] {
                expected += [
                    "\(pp(crn)) referral_received", "\(pp(crn)) referral_accepted", "\(pp(crn)) booking_made", "\(elm) booking_made",
                ]
            }
            expected += [
                "\(pp("N000003")) booking_changed", "\(elm) booking_changed",
                "\(pp("N000004")) booking_cancelled", "\(elm) booking_cancelled",
                "\(pp("N000005")) not_arrived", "\(cru) not_arrived",
                "\(pp("N000006")) arrived", "\(pp("N000006")) departed", "\(cru) ended_early",
                "\(pp("N000007")) arrived", "\(pp("N000007")) move_on_due",
                "\(pp("N000008")) arrived", "\(pp("N000008")) breach_escalated", "ooh.nw@probation.example breach_escalated",
                "\(pp("N000008")) breach_outcome",
            ]
            // What the test world wrote before the mailboxes were set was kept, failed or sent; only
            // what came after is in this pass beside the world's own practitioner's messages.
            let ours = mail.filter { $0.to.hasSuffix("@probation.example") || $0.to == elm }.filter { $0.to != "pat@probation.example" }
            #expect(ours.map { "\($0.to) \($0.event)" }.sorted() == expected.sorted())
            for message in mail {
                #expect(message.messageID.hasSuffix("@ap.test>"))
                #expect(message.body.contains("https://ap.test/"), "\(message.body)")
                for secret in ["SECRET", "high"] {
                    #expect(!(message.body + message.subject).contains(secret), "\(message.event): \(message.body)")
                }
            }
            let booked = try #require(mail.first { $0.event == "booking_made" && $0.to == pp("N000003") })
            #expect(booked.subject == "Place booked at Premises ELM: Person N000003 (N000003)")
            // The practitioner's links are to their referral's own pages; the premises' to the placement.
            func referralOf(_ placement: UUID) async throws -> String {
                (try await pool.query("SELECT referral_id FROM placement WHERE id = \(placement)")[0].decode("referral_id", as: UUID.self))
                    .uuidString.lowercased()
            }
            #expect(booked.body.contains("https://ap.test/referrals/\(try await referralOf(changed))\n"), "\(booked.body)")
            let bookedForElm = try #require(mail.first { $0.event == "booking_made" && $0.to == elm && $0.body.contains("N000003") })
            #expect(bookedForElm.body.contains("https://ap.test/premises/ELM/placements/\(changed.uuidString.lowercased())"))
            let escalated = try #require(mail.first { $0.event == "breach_escalated" && $0.to.hasPrefix("ooh.") })
            #expect(escalated.body.contains(DateTimeText.spoken(breach.windowStart, in: Premises.defaultTimeZone)))
            let departed = try #require(mail.first { $0.event == "departed" })
            #expect(
                departed.body.contains("https://ap.test/referrals/\(try await referralOf(early))/departure-summary"), "\(departed.body)")
            #expect(before > 0)
        }
    }

    @Test(
        "a change that rolls back writes no message; a message for a mailbox not set is failed at once, saying which, and can be resent once it is set"
    )
    func rollbackAndMissingMailbox() async throws {
        try await withApp { client, world in
            let pool = world.pool
            let admin = try await world.fixtures.signIn("admin").principal
            // The test world booked a stay at Elm before any mailbox was set.
            let failed = try await pool.query(
                "SELECT id, last_error FROM notification WHERE event = 'booking_made' AND recipient_kind = 'premises' AND state = 'failed'")
            #expect(failed.count == 1)
            #expect(try failed.first?.decode("last_error", as: String.self) == "no mailbox is set for premises ELM")

            let count = { try await pool.query("SELECT count(*)::integer AS n FROM notification")[0].decode("n", as: Int.self) }
            let written = try await count()
            await #expect(throws: DomainError.self) {
                // The bed is taken on these nights: the booking is refused, and so is its message.
                _ = try await PlacementStore(pool: pool).book(
                    NewPlacement(
                        premisesID: world.elm, crn: "X000002", personName: "Al Other", expectedArrival: testDay(0),
                        expectedDeparture: testDay(9), bedID: world.bed), by: admin)
            }
            #expect(try await count() == written)

            let id = try failed[0].decode("id", as: UUID.self)
            do {
                let response = try await client.execute(
                    uri: "/notifications/\(id.uuidString.lowercased())/resend", method: .post, headers: world.headers("admin"))
                #expect(response.status == .unprocessableContent)
                #expect(response.text.contains("no mailbox is set for premises ELM"))
            }
            try await NotificationTests.setMailboxes(client, world)
            do {
                let response = try await client.execute(
                    uri: "/notifications/\(id.uuidString.lowercased())/resend", method: .post, headers: world.headers("manager"))
                #expect(response.status == .forbidden)
            }
            do {
                let response = try await client.execute(
                    uri: "/notifications/\(id.uuidString.lowercased())/resend", method: .post, headers: world.headers("admin"))
                #expect(response.status == .ok)
                let body = try response.json()
                #expect(body["state"] as? String == "waiting" && body["recipient"] as? String == "elm@ap.example")
            }
            let sink = try await MailSink.start()
            let handedOver = try await Self.job(pool, sink: sink).pass()
            let mail = try await sink.waitForMail(count: handedOver)
            await sink.stop()
            #expect(mail.contains { $0.to == "elm@ap.example" && $0.event == "booking_made" })
            do {
                let response = try await client.execute(uri: "/notifications?state=failed", method: .get, headers: world.headers("admin"))
                #expect(response.status == .ok)
                #expect(((try response.json()["items"] as? [[String: Any]]) ?? []).map { $0["event"] as? String } == ["referral_offered"])
            }
            let audited = try await pool.query("SELECT count(*)::integer AS n FROM audit_event WHERE action = 'notification.resend'")
            #expect(try audited[0].decode("n", as: Int.self) == 1)
        }
    }

    @Test(
        "a malformed mailbox address is refused at the door naming the field; a recipient the MTA refuses ends failed with its reason after the retries"
    )
    func refusedAddresses() async throws {
        try await withApp { client, world in
            for address in ["not-an-address", "two@@example.org", "cru@example", "a b@example.org"] {
                do {
                    let response = try await client.execute(
                        uri: "/mailboxes", method: .put, headers: world.headers("admin"),
                        body: json(["kind": "cru", "region": "NW", "address": address])
                    )
                    #expect(response.status == .badRequest, "\(address): \(response.text)")
                    #expect(try response.problemFields() == ["address"])
                }
            }
            do {
                let response = try await client.execute(
                    uri: "/mailboxes", method: .put, headers: world.headers("admin"),
                    body: json(["kind": "premises", "premises": "ELM", "address": "nobody@rejected.invalid"])
                )
                #expect(response.status == .ok)
            }
            let admin = try await world.fixtures.signIn("admin").principal
            let sink = try await MailSink.start()
            let job = try Self.job(world.pool, sink: sink, retry: .init(firstRetry: .milliseconds(100), giveUpAfter: .seconds(8)))
            // Cancelled with the job ready, the stay's message to the premises is tried at once, and again until a day
            // (here eight seconds: a loaded machine's msmtp can take seconds a try) has gone by.
            _ = try await PlacementStore(pool: world.pool).cancel(
                world.placement, reason: "ALTERNATIVE_AP", notes: nil, expectedVersion: nil, by: admin)
            let deadline = ContinuousClock.now + .seconds(20)
            var state = "waiting"
            var row: PostgresRow?
            while state == "waiting" && ContinuousClock.now < deadline {
                try await job.pass()
                row = try await world.pool.query(
                    "SELECT state, attempts, last_error FROM notification WHERE event = 'booking_cancelled' AND recipient_kind = 'premises'"
                ).first
                state = try row?.decode("state", as: String.self) ?? "missing"
                try await Task.sleep(for: .milliseconds(150))
            }
            await sink.stop()
            #expect(state == "failed")
            #expect(try row?.decode("attempts", as: Int.self) ?? 0 > 1)
            let reason = try row?.decode("last_error", as: String?.self) ?? ""
            #expect(reason.contains("550") || reason.contains("not accepted"), "\(reason)")
            #expect(try sink.mail().filter { $0.to.hasSuffix("@rejected.invalid") }.isEmpty)
        }
    }

    @Test("the SMTP server stopped for a minute: messages wait, and are all delivered when it is back, none lost")
    func serverAway() async throws {
        try await withApp { client, world in
            try await Self.setMailboxes(client, world)
            try await world.pool.execute(
                """
                INSERT INTO notification (event, recipient_kind, recipient, details)
                SELECT 'booking_made', 'premises', 'elm@ap.example', jsonb_build_object('personName', 'Person ' || n, 'crn', 'A' || lpad(n::text, 6, '0'), 'link', '/')
                FROM generate_series(1, 40) n
                """)
            let waiting = try await world.pool.query("SELECT count(*)::integer AS n FROM notification WHERE state = 'waiting'")[0]
                .decode("n", as: Int.self)
            var sink = try await MailSink.start()
            await sink.stop()
            let job = try Self.job(world.pool, sink: sink, retry: .init(firstRetry: .milliseconds(500)))
            let away = ContinuousClock.now
            var attempts = 0
            while ContinuousClock.now - away < .seconds(60) {
                attempts += try await job.pass() == 0 ? 1 : 0
                try await Task.sleep(for: .seconds(2))
            }
            let failed = try await world.pool.query("SELECT count(*)::integer AS n FROM notification WHERE state = 'failed'")[0]
                .decode("n", as: Int.self)
            #expect(attempts > 0)
            sink = try await MailSink.start(port: sink.port, folder: sink.folder)
            let deadline = ContinuousClock.now + .seconds(60)
            var sent = 0
            while sent < waiting && ContinuousClock.now < deadline {
                try await job.pass()
                sent = try await world.pool.query("SELECT count(*)::integer AS n FROM notification WHERE state = 'sent'")[0]
                    .decode("n", as: Int.self)
                try await Task.sleep(for: .milliseconds(500))
            }
            let mail = try sink.mail()
            await sink.stop()
            #expect(sent == waiting)
            #expect(Set(mail.map(\.messageID)).count == waiting)
            #expect(
                try await world.pool.query("SELECT count(*)::integer AS n FROM notification WHERE state = 'failed'")[0].decode(
                    "n", as: Int.self)
                    == failed)
        }
    }

    @Test("ap mailboxes set, ap notifications list and resend, for administrators only, through the service")
    func commandLine() async throws {
        try await withApp(.live) { client, world in
            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let admin = try await CommandLineTests.signedIn("admin", to: client, in: folder, world.fixtures)
            let manager = try await CommandLineTests.signedIn("manager", to: client, in: folder, world.fixtures)

            // The test world's booking at Elm was written before Elm had a mailbox.
            var run = try await CommandLineTests.ap(["notifications", "list", "--failed"], config: admin)
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("booking_made") && run.output.contains("premises mailbox not set"), "\(run.output)")
            #expect(run.output.contains("no mailbox is set for premises ELM"), "\(run.output)")

            run = try await CommandLineTests.ap(["mailboxes", "set", "cru", "not an address", "--region", "NW"], config: admin)
            #expect(run.status != 0 && run.output.contains("address"), "\(run.output)")
            run = try await CommandLineTests.ap(["mailboxes", "set", "premises", "elm@ap.example", "--premises", "ELM"], config: admin)
            #expect(run.status == 0 && run.output.contains("elm@ap.example"), "\(run.output)")
            run = try await CommandLineTests.ap(["mailboxes", "set", "premises", "elm@ap.example", "--premises", "ELM"], config: manager)
            #expect(run.status != 0, "\(run.output)")
            run = try await CommandLineTests.ap(["mailboxes"], config: admin)
            #expect(run.output.contains("premises") && run.output.contains("ELM") && run.output.contains("elm@ap.example"), "\(run.output)")

            let id = try await world.pool.query(
                "SELECT id FROM notification WHERE event = 'booking_made' AND recipient_kind = 'premises' AND state = 'failed'"
            )[0].decode("id", as: UUID.self)
            run = try await CommandLineTests.ap(["notifications", "resend", id.uuidString.lowercased()], config: admin)
            #expect(run.status == 0 && run.output.contains("Queued again") && run.output.contains("elm@ap.example"), "\(run.output)")
            run = try await CommandLineTests.ap(["notifications", "list", "--waiting"], config: admin)
            #expect(run.output.contains("elm@ap.example") && run.output.contains("Sam Jones (X000001)"), "\(run.output)")
            run = try await CommandLineTests.ap(["notifications", "list"], config: manager)
            #expect(run.status != 0, "\(run.output)")
        }
    }
}
