import ApprovedPremises
import Foundation
import Postgres
import Testing
import TestSupport

@Suite("Curfew breaches", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct CurfewBreachTests {
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("the job opens a breach when the curfew starts with a resident out, once; a late sign-in closes it with the minutes late")
    func openAndClose() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 3)
            let people = try await world.residents(["B000000", "B000001", "B000002"])
            let log = CurfewStore(pool: pool)
            _ = try await log.record(people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T20:00:00Z")), by: world.manager, now: at("2026-12-02T20:01:00Z"))

            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T22:59:00Z")) == 0)
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:01:00Z")) == 1)
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:20:00Z")) == 0)
            var open = try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.map(\.personName) == ["Person B000000"])
            #expect(open.first?.windowStart == at("2026-12-02T23:00:00Z"))

            // The second resident goes out after the curfew began; the job finds them too.
            _ = try await log.record(people[1].id, .init(kind: "out", occurredAt: at("2026-12-02T23:30:00Z")), by: world.manager, now: at("2026-12-02T23:31:00Z"))
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:40:00Z")) == 1)

            _ = try await log.record(people[0].id, .init(kind: "in", occurredAt: at("2026-12-02T23:47:00Z")), by: world.manager, now: at("2026-12-02T23:50:00Z"))
            _ = try await log.record(people[1].id, .init(kind: "in", occurredAt: at("2026-12-02T23:45:00Z")), by: world.manager, now: at("2026-12-02T23:50:00Z"))
            open = try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.isEmpty)
            let all = try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: false, by: world.manager)
            #expect(Dictionary(uniqueKeysWithValues: all.map { ($0.personName, $0.minutesLate) }) == ["Person B000000": 47, "Person B000001": 15])
        }
    }

    @Test("a resident absent overnight: the breach is escalated (PP, then police), closed when they return, and its outcome recorded once")
    func escalationAndOutcome() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            let resident = try await world.residents(["E000001"])[0]
            let log = CurfewStore(pool: pool)
            _ = try await log.record(resident.id, .init(kind: "out", occurredAt: at("2026-12-02T21:00:00Z")), by: world.manager, now: at("2026-12-02T21:00:00Z"))
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:00:30Z")) == 1)
            let breach = try #require(try await CurfewBreachStore(pool: pool).list(placementID: resident.id, by: world.manager).first)
            #expect(breach.state == .open)

            // An outcome cannot be decided while the resident is simply missing.
            await #expect(throws: DomainError.self) {
                try await CurfewBreachStore(pool: pool).recordOutcome(breach.id, outcome: "warning", note: nil, by: world.manager)
            }
            await #expect(throws: DomainError.self) {
                try await CurfewBreachStore(pool: pool).escalate(breach.id, ppInformed: false, policeInformed: false, note: nil, by: world.manager)
            }
            let escalated = try await CurfewBreachStore(pool: pool).escalate(breach.id, ppInformed: true, policeInformed: false,
                                                              note: "PP's out-of-hours line", by: world.manager, now: at("2026-12-03T01:00:00Z"))
            #expect(escalated.state == .escalated && escalated.ppInformedAt == at("2026-12-03T01:00:00Z") && escalated.policeInformedAt == nil)
            await #expect(throws: DomainError.self) {
                try await CurfewBreachStore(pool: pool).escalate(breach.id, ppInformed: true, policeInformed: false, note: nil, by: world.manager)
            }
            let police = try await CurfewBreachStore(pool: pool).escalate(breach.id, ppInformed: false, policeInformed: true,
                                                           note: "reported missing, ref 4411", by: world.manager, now: at("2026-12-03T03:00:00Z"))
            #expect(police.policeInformedAt == at("2026-12-03T03:00:00Z") && police.ppInformedAt == at("2026-12-03T01:00:00Z"))
            #expect(police.escalationNote == "PP's out-of-hours line\nreported missing, ref 4411")
            // Still escalated, so still open for the night staff.
            #expect(try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: true, by: world.manager).map(\.id) == [breach.id])

            _ = try await log.record(resident.id, .init(kind: "in", occurredAt: at("2026-12-03T09:30:00Z")), by: world.manager, now: at("2026-12-03T09:31:00Z"))
            let returned = try #require(try await CurfewBreachStore(pool: pool).list(placementID: resident.id, by: world.manager).first)
            #expect(returned.state == .closed && returned.minutesLate == 630)

            // Night staff escalate; only managers decide the outcome.
            let fixtures = Fixtures(pool: pool)
            _ = try await fixtures.staff("night.elm", .residentialWorker, premises: world.premises)
            let nightWorker = try await fixtures.signIn("night.elm").principal
            await #expect(throws: DomainError.self) {
                try await CurfewBreachStore(pool: pool).recordOutcome(breach.id, outcome: "warning", note: nil, by: nightWorker)
            }
            let decided = try await CurfewBreachStore(pool: pool).recordOutcome(breach.id, outcome: "recall_requested", note: "second absence this month",
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
            _ = try await log.record(people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T20:00:00Z")), by: world.manager, now: at("2026-12-02T20:01:00Z"))
            // Signed out by mistake, put right: the correction, not the entry it corrects, is the last word.
            let mistake = try await log.record(people[1].id, .init(kind: "out", occurredAt: at("2026-12-02T21:00:00Z")), by: world.manager, now: at("2026-12-02T21:00:00Z"))
            _ = try await log.correct(mistake.id, with: .init(kind: "in", occurredAt: at("2026-12-02T21:00:00Z")), reason: "signed out the wrong resident",
                                      by: world.manager, now: at("2026-12-02T21:05:00Z"))
            var before = pool.statementsRun
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:01:00Z")) == 1)
            let shortHistory = pool.statementsRun - before
            #expect(shortHistory <= 2)

            // Thousands of earlier outings for the third resident (ending signed in): the pass costs the same.
            try await pool.execute("""
                INSERT INTO movement (premises_id, placement_id, kind, occurred_at, recorded_by)
                SELECT \(world.premises), \(people[2].id), CASE WHEN i % 2 = 0 THEN 'out' ELSE 'in' END,
                       timestamptz '2026-12-01 13:00:00+00' + i * interval '20 seconds', \(world.manager.staffID)
                FROM generate_series(0, 2999) AS i
                """)
            before = pool.statementsRun
            #expect(try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:30:00Z")) == 0)
            #expect(pool.statementsRun - before == shortHistory)
            let open = try await CurfewBreachStore(pool: pool).list(premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.map(\.placementID) == [people[0].id])
            let states = try await log.tonight(premisesID: world.premises, by: world.manager, now: at("2026-12-02T23:30:00Z"))
            #expect(Dictionary(uniqueKeysWithValues: states.map { ($0.placementID, $0.state) })
                    == [people[0].id: .late, people[1].id: .in, people[2].id: .in])
        }
    }
}
