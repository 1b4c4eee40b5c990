import Foundation
import Postgres
import TestSupport
import Testing

@testable import ApprovedPremises

@Suite("Curfew breaches", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct CurfewBreachTests {
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("the job opens a breach when the curfew starts with a resident out, once; a late sign-in closes it with the minutes late")
    func openAndClose() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 3)
            let people = try await world.residents(["B000000", "B000001", "B000002"])
            let log = CurfewStore(pool: pool)
            _ = try await log.record(
                people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T20:00:00Z")), by: world.manager, now: at("2026-12-02T20:01:00Z")
            )

            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T22:59:00Z")) == 0)
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:01:00Z")) == 1)
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:20:00Z")) == 0)
            var open = try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.map(\.personName) == ["Person B000000"])
            #expect(open.first?.windowStart == at("2026-12-02T23:00:00Z"))

            // The second resident goes out after the curfew began: the sign-out itself opens the
            // breach, so the job finds nothing new.
            _ = try await log.record(
                people[1].id, .init(kind: "out", occurredAt: at("2026-12-02T23:30:00Z")), by: world.manager, now: at("2026-12-02T23:31:00Z")
            )
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:40:00Z")) == 0)
            open = try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.map(\.personName).sorted() == ["Person B000000", "Person B000001"])

            _ = try await log.record(
                people[0].id, .init(kind: "in", occurredAt: at("2026-12-02T23:47:00Z")), by: world.manager, now: at("2026-12-02T23:50:00Z"))
            _ = try await log.record(
                people[1].id, .init(kind: "in", occurredAt: at("2026-12-02T23:45:00Z")), by: world.manager, now: at("2026-12-02T23:50:00Z"))
            open = try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.isEmpty)
            let all = try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: false, by: world.manager)
            #expect(
                Dictionary(uniqueKeysWithValues: all.map { ($0.personName, $0.minutesLate) }) == [
                    "Person B000000": 47, "Person B000001": 15,
                ])
        }
    }

    @Test("a resident absent overnight: the breach is escalated (PP, then police), closed when they return, and its outcome recorded once")
    func escalationAndOutcome() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            let resident = try await world.residents(["E000001"])[0]
            let log = CurfewStore(pool: pool)
            _ = try await log.record(
                resident.id, .init(kind: "out", occurredAt: at("2026-12-02T21:00:00Z")), by: world.manager, now: at("2026-12-02T21:00:00Z"))
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:00:30Z")) == 1)
            let breach = try #require(try await CurfewBreachStore(pool: pool).list(placementID: resident.id, by: world.manager).first)
            #expect(breach.state == .open)

            // An outcome cannot be decided while the resident is simply missing.
            await #expect(throws: DomainError.self) {
                try await CurfewBreachStore(pool: pool).recordOutcome(breach.id, outcome: "warning", note: nil, by: world.manager)
            }
            await #expect(throws: DomainError.self) {
                try await CurfewBreachStore(pool: pool).escalate(
                    breach.id, ppInformed: false, policeInformed: false, note: nil, by: world.manager)
            }
            let escalated = try await CurfewBreachStore(pool: pool).escalate(
                breach.id, ppInformed: true, policeInformed: false,
                note: "PP's out-of-hours line", by: world.manager, now: at("2026-12-03T01:00:00Z"))
            #expect(
                escalated.state == .escalated && escalated.ppInformedAt == at("2026-12-03T01:00:00Z") && escalated.policeInformedAt == nil)
            await #expect(throws: DomainError.self) {
                try await CurfewBreachStore(pool: pool).escalate(
                    breach.id, ppInformed: true, policeInformed: false, note: nil, by: world.manager)
            }
            let police = try await CurfewBreachStore(pool: pool).escalate(
                breach.id, ppInformed: false, policeInformed: true,
                note: "reported missing, ref 4411", by: world.manager, now: at("2026-12-03T03:00:00Z"))
            #expect(police.policeInformedAt == at("2026-12-03T03:00:00Z") && police.ppInformedAt == at("2026-12-03T01:00:00Z"))
            #expect(police.escalationNote == "PP's out-of-hours line\nreported missing, ref 4411")
            // Still escalated, so still open for the night staff.
            #expect(
                try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: true, by: world.manager).map(\.id) == [
                    breach.id
                ])

            _ = try await log.record(
                resident.id, .init(kind: "in", occurredAt: at("2026-12-03T09:30:00Z")), by: world.manager, now: at("2026-12-03T09:31:00Z"))
            let returned = try #require(try await CurfewBreachStore(pool: pool).list(placementID: resident.id, by: world.manager).first)
            #expect(returned.state == .closed && returned.minutesLate == 630)

            // Night staff escalate; only managers decide the outcome.
            let fixtures = Fixtures(pool: pool)
            _ = try await fixtures.staff("night.elm", .residentialWorker, premises: world.premises)
            let nightWorker = try await fixtures.signIn("night.elm").principal
            await #expect(throws: DomainError.self) {
                try await CurfewBreachStore(pool: pool).recordOutcome(breach.id, outcome: "warning", note: nil, by: nightWorker)
            }
            let decided = try await CurfewBreachStore(pool: pool).recordOutcome(
                breach.id, outcome: "recall_requested", note: "second absence this month",
                by: world.manager, now: at("2026-12-03T10:00:00Z"))
            #expect(decided.outcome == .recallRequested)
            await #expect(throws: DomainError.self) {
                try await CurfewBreachStore(pool: pool).recordOutcome(breach.id, outcome: "no_action", note: nil, by: world.manager)
            }
            do {
                _ = try await CurfewBreachStore(pool: pool).recordOutcome(breach.id, outcome: "shrug", note: nil, by: world.manager)
                Issue.record("an unknown outcome was accepted")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["outcome"])
            }
        }
    }

    @Test("a breach pass makes the same few statements however long the residents' log, and reads corrections right")
    func passCostFollowsResidents() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 3)
            let people = try await world.residents(["L000001", "L000002", "L000003"])
            let log = CurfewStore(pool: pool)
            _ = try await log.record(
                people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T20:00:00Z")), by: world.manager, now: at("2026-12-02T20:01:00Z")
            )
            // Signed out by mistake, put right: the correction, not the entry it corrects, is the last word.
            let mistake = try await log.record(
                people[1].id, .init(kind: "out", occurredAt: at("2026-12-02T21:00:00Z")), by: world.manager, now: at("2026-12-02T21:00:00Z")
            )
            _ = try await log.correct(
                mistake.id, with: .init(kind: "in", occurredAt: at("2026-12-02T21:00:00Z")), reason: "signed out the wrong resident",
                by: world.manager, now: at("2026-12-02T21:05:00Z"))
            var before = pool.statementsRun
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:01:00Z")) == 1)
            let shortHistory = pool.statementsRun - before
            #expect(shortHistory <= 2)

            // Thousands of earlier outings for the third resident (ending signed in): the pass costs the same.
            try await pool.transaction { connection in
                try await LogChainStore.record(as: world.manager, on: connection)
                try await connection.execute(
                    """
                    INSERT INTO movement (premises_id, placement_id, kind, occurred_at)
                    SELECT \(world.premises), \(people[2].id), CASE WHEN i % 2 = 0 THEN 'out' ELSE 'in' END,
                           timestamptz '2026-12-01 13:00:00+00' + i * interval '20 seconds'
                    FROM generate_series(0, 2999) AS i
                    """)
            }
            before = pool.statementsRun
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:30:00Z")) == 0)
            #expect(pool.statementsRun - before == shortHistory)
            let open = try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.map(\.placementID) == [people[0].id])
            let states = try await log.tonight(premisesID: world.premises, by: world.manager, now: at("2026-12-02T23:30:00Z"))
            #expect(
                Dictionary(uniqueKeysWithValues: states.map { ($0.placementID, $0.state) })
                    == [people[0].id: .late, people[1].id: .in, people[2].id: .in])
        }
    }

    @Test(
        "entries typed up after the fact open and close the breach with the right minutes; a correction before the curfew voids it (kept); the job never opens it twice"
    )
    func lateAndCorrectedEntries() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            let people = try await world.residents(["T000001", "T000002"])
            let log = CurfewStore(pool: pool)
            let breaches = CurfewBreachStore(pool: pool)
            // A paper night, typed up the next morning: out at 22:00, back at 23:40, for a 23:00 curfew.
            let morning = at("2026-12-03T09:00:00Z")
            _ = try await log.record(
                people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T22:00:00Z")), by: world.manager, now: morning)
            var mine = try await breaches.list(placementID: people[0].id, by: world.manager)
            #expect(mine.map(\.state) == [.open])
            #expect(mine.first?.windowStart == at("2026-12-02T23:00:00Z"))
            let back = try await log.record(
                people[0].id, .init(kind: "in", occurredAt: at("2026-12-02T23:40:00Z")), by: world.manager, now: morning)
            mine = try await breaches.list(placementID: people[0].id, by: world.manager)
            #expect(mine.map(\.state) == [.closed])
            #expect(mine.first?.minutesLate == 40)
            #expect(mine.first?.closedAt == at("2026-12-02T23:40:00Z"))
            // The job looking now, or again, opens nothing more.
            #expect(try await breaches.scan(now: morning.addingTimeInterval(60)) == 0)

            // The sign-in was really at 22:50, before the curfew: the breach is void, and kept.
            let corrected = try await log.correct(
                back.id, with: .init(kind: "in", occurredAt: at("2026-12-02T22:50:00Z")),
                reason: "the paper sheet was misread", by: world.manager, now: morning.addingTimeInterval(120))
            mine = try await breaches.list(placementID: people[0].id, by: world.manager)
            #expect(mine.map(\.state) == [.void])
            #expect(mine.first?.voidedByEntry == corrected.id)
            #expect(try await breaches.list(premisesID: world.premises, openOnly: true, by: world.manager).isEmpty)
            // Corrected again, to 23:30: the same breach is back, 30 minutes late; never a second one.
            _ = try await log.correct(
                corrected.id, with: .init(kind: "in", occurredAt: at("2026-12-02T23:30:00Z")),
                reason: "22:50 was the other resident", by: world.manager, now: morning.addingTimeInterval(180))
            mine = try await breaches.list(placementID: people[0].id, by: world.manager)
            #expect(mine.map(\.state) == [.closed])
            #expect(mine.first?.minutesLate == 30)
            let actions = try await pool.query(
                """
                SELECT action FROM audit_event WHERE entity = 'curfew_breach' ORDER BY id
                """
            ).map { try $0.decode("action", as: String.self) }
            #expect(actions == ["curfew_breach.open", "curfew_breach.close", "curfew_breach.void", "curfew_breach.reinstate"])

            // Out live, the job opens the breach at 23:00; the sign-in typed up late closes that one.
            _ = try await log.record(
                people[1].id, .init(kind: "out", occurredAt: at("2026-12-03T21:00:00Z")), by: world.manager, now: at("2026-12-03T21:00:00Z")
            )
            #expect(try await breaches.scan(now: at("2026-12-03T23:01:00Z")) == 1)
            _ = try await log.record(
                people[1].id, .init(kind: "in", occurredAt: at("2026-12-03T23:25:00Z")), by: world.manager, now: at("2026-12-04T08:00:00Z"))
            let theirs = try await breaches.list(placementID: people[1].id, by: world.manager)
            #expect(theirs.map(\.state) == [.closed])
            #expect(theirs.first?.minutesLate == 25)
            let rows: Int = try await pool.query("SELECT count(*)::integer AS n FROM curfew_breach").first!.decode("n")
            #expect(rows == 2)
        }
    }

    /// A resident at Elm (curfew 23:00-07:00) from 20 March to 10 April 2026, or from 20 October to 10 November.
    func resident(_ world: BedWorld, _ crn: String, from: String, to: String) async throws -> Placement {
        let booked = try await world.book(crn, from, to)
        return try await world.placements.arrive(
            booked.id, at: at("\(from)T12:00:00Z"), keyWorkerID: nil, expectedVersion: nil,
            by: world.manager, now: at("\(from)T12:00:00Z"))
    }

    @Test(
        "the nights the clocks change: the job opens the breach at 23:00, and a live sign-in and a late one close theirs with the real minutes",
        arguments: [
            // 28-29 March 2026, clocks forward at 01:00 GMT: 23:00 is 23:00 UTC, the window seven hours long.
            ("2026-03-20", "2026-04-10", "2026-03-28T23:00:00Z", "2026-03-29T06:00:00Z", "2026-03-29T01:30:00Z"),
            // 24-25 October 2026, clocks back at 02:00 BST: 23:00 is 22:00 UTC, the window nine hours long.
            ("2026-10-20", "2026-11-10", "2026-10-24T22:00:00Z", "2026-10-25T07:00:00Z", "2026-10-25T01:30:00Z"),
        ])
    func clockChangeNights(from: String, to: String, windowStart: String, windowEnd: String, signIn: String) async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 3)
            let live = try await resident(world, "D000001", from: from, to: to)
            let late = try await resident(world, "D000002", from: from, to: to)
            let log = CurfewStore(pool: pool)
            let start = at(windowStart)
            for person in [live, late] {
                _ = try await log.record(
                    person.id, .init(kind: "out", occurredAt: start.addingTimeInterval(-3 * 3600)), by: world.manager,
                    now: start.addingTimeInterval(-3 * 3600))
            }
            let breaches = CurfewBreachStore(pool: pool)
            #expect(try await breaches.scan(now: start.addingTimeInterval(-60)) == 0)
            #expect(try await breaches.scan(now: start.addingTimeInterval(30)) == 2, "the job opens both breaches when the curfew starts")
            let open = try await breaches.list(premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.map(\.windowStart) == [start, start])
            #expect(open.map(\.windowEnd) == [at(windowEnd), at(windowEnd)])

            // One signs in live at 23:30 (the premises' clock); the other's 23:30 sign-in is typed up at 08:00.
            _ = try await log.record(
                live.id, .init(kind: "in", occurredAt: start.addingTimeInterval(30 * 60)), by: world.manager,
                now: start.addingTimeInterval(30 * 60 + 10))
            _ = try await log.record(
                late.id, .init(kind: "in", occurredAt: at(signIn)), by: world.manager, now: at(windowEnd).addingTimeInterval(3600))
            let all = try await breaches.list(premisesID: world.premises, openOnly: false, by: world.manager)
            let minutes = Dictionary(uniqueKeysWithValues: all.map { ($0.placementID, $0.minutesLate) })
            #expect(minutes[live.id] == 30)
            #expect(minutes[late.id] == Int(at(signIn).timeIntervalSince(start) / 60), "the late sign-in's real minutes, across the change")
            #expect(all.allSatisfy { $0.state == .closed })
        }
    }

    @Test("the breach a window calls for, read from the log alone")
    func findings() {
        let window = CurfewWindow(start: at("2026-12-02T23:00:00Z"), end: at("2026-12-03T07:00:00Z"), sources: [.premises])
        func entry(_ id: Int64, _ kind: String, _ time: String, permission: Bool = false) -> CurfewBreachStore.LogEntry {
            .init(id: id, kind: kind, at: at(time), withPermission: permission)
        }
        let now = at("2026-12-03T12:00:00Z")
        // Out before the window, back during it.
        #expect(
            CurfewBreachStore.finding(
                window, log: [entry(1, "out", "2026-12-02T20:00:00Z"), entry(2, "in", "2026-12-02T23:40:00Z")], now: now)
                == .init(lateSince: window.start, backAt: at("2026-12-02T23:40:00Z"), backEntry: 2))
        // Back before it: nothing.
        #expect(
            CurfewBreachStore.finding(
                window, log: [entry(1, "out", "2026-12-02T20:00:00Z"), entry(2, "in", "2026-12-02T22:59:00Z")], now: now) == nil)
        // Away with permission: nothing.
        #expect(CurfewBreachStore.finding(window, log: [entry(1, "out", "2026-12-02T20:00:00Z", permission: true)], now: now) == nil)
        // Out during the window, not back: open, late from going out.
        #expect(
            CurfewBreachStore.finding(window, log: [entry(1, "out", "2026-12-03T01:00:00Z")], now: now)
                == .init(lateSince: at("2026-12-03T01:00:00Z"), backAt: nil, backEntry: nil))
        #expect(
            CurfewBreachStore.finding(
                window, log: [entry(1, "out", "2026-12-03T01:00:00Z"), entry(2, "in", "2026-12-03T01:30:00Z")], now: now)?.minutesLate == 30
        )
        // A window not yet started calls for nothing.
        #expect(CurfewBreachStore.finding(window, log: [entry(1, "out", "2026-12-02T20:00:00Z")], now: at("2026-12-02T22:00:00Z")) == nil)
    }
}
