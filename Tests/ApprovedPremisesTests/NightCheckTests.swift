import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Night checks")
struct NightCheckScheduleTests {
    let london = TimeZone(identifier: "Europe/London")!
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("hourly from 23:00 to 07:00 is eight rounds, 23:00 to 06:00; an hour of real time apart on the nights the clocks change")
    func dueTimes() {
        let december = NightCheckSchedule.dueTimes(
            night: CalendarDate("2026-12-02")!, start: WallClock("23:00")!, end: WallClock("07:00")!,
            intervalMinutes: 60, in: london)
        #expect(december.count == 8)
        #expect(december.first == at("2026-12-02T23:00:00Z") && december.last == at("2026-12-03T06:00:00Z"))
        // 25 October 2026: the clocks go back at 02:00 BST; the night is nine hours long.
        let autumn = NightCheckSchedule.dueTimes(
            night: CalendarDate("2026-10-24")!, start: WallClock("23:00")!, end: WallClock("07:00")!,
            intervalMinutes: 60, in: london)
        #expect(autumn.count == 9)
        #expect(autumn.first == at("2026-10-24T22:00:00Z") && autumn.last == at("2026-10-25T06:00:00Z"))
        // 29 March 2026: the clocks go forward at 01:00 GMT; seven hours.
        let spring = NightCheckSchedule.dueTimes(
            night: CalendarDate("2026-03-28")!, start: WallClock("23:00")!, end: WallClock("07:00")!,
            intervalMinutes: 120, in: london)
        #expect(spring == [at("2026-03-28T23:00:00Z"), at("2026-03-29T01:00:00Z"), at("2026-03-29T03:00:00Z"), at("2026-03-29T05:00:00Z")])
    }

    @Test("the night is the one whose rounds have begun (or begin within 15 minutes), else the one before")
    func night() {
        let start = WallClock("23:00")!
        #expect(NightCheckSchedule.night(at: at("2026-12-03T03:00:00Z"), start: start, in: london) == CalendarDate("2026-12-02")!)
        #expect(NightCheckSchedule.night(at: at("2026-12-03T13:00:00Z"), start: start, in: london) == CalendarDate("2026-12-02")!)
        #expect(NightCheckSchedule.night(at: at("2026-12-03T22:50:00Z"), start: start, in: london) == CalendarDate("2026-12-03")!)
    }
}

@Suite("Night-check rounds", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct NightCheckTests {
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("a round is recorded once for every resident; one not recorded by the next due time shows as missed")
    func missedRound() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 3)
            let people = try await world.residents(["K000000", "K000001", "K000002"])
            let checks = NightCheckStore(pool: pool)
            let everyone = { (observation: String) in people.map { NightCheckStore.Entry(placementID: $0.id, observation: observation) } }

            // 23:00 recorded on time (started five minutes early), 00:00 forgotten, 01:00 recorded.
            let first = try await checks.record(
                premisesID: world.premises, dueAt: nil, entries: everyone("seen"), by: world.manager,
                now: at("2026-12-02T22:55:00Z"))
            #expect(first.dueAt == at("2026-12-02T23:00:00Z"))
            var third = everyone("seen")
            third[1].observation = "not_in_room"
            third[2].observation = "refused"
            third[2].note = "would not open the door; heard talking"
            _ = try await checks.record(
                premisesID: world.premises, dueAt: nil, entries: third, by: world.manager, now: at("2026-12-03T01:10:00Z"))

            let night = try await checks.rounds(premisesID: world.premises, night: nil, by: world.manager, now: at("2026-12-03T02:30:00Z"))
            #expect(night.night == CalendarDate("2026-12-02")!)
            #expect(night.rounds.map(\.status) == [.recorded, .missed, .recorded, .due, .upcoming, .upcoming, .upcoming, .upcoming])
            #expect(night.rounds[2].observations.map(\.observation) == [.seen, .notInRoom, .refused])
            #expect(night.rounds[2].observations[2].note == "would not open the door; heard talking")
            // Recorded when the database says it was (its clock, not the `now` the test gives), so typed
            // up today, long after it was due: late.
            #expect(night.rounds[2].recordedAt.map { abs($0.timeIntervalSinceNow) < 600 } == true)
            #expect(night.rounds[2].recordedLate)

            // Recording the same round again is refused, whoever tries.
            await #expect(throws: DomainError.self) {
                try await checks.record(
                    premisesID: world.premises, dueAt: at("2026-12-03T01:00:00Z"), entries: everyone("seen"), by: world.manager,
                    now: at("2026-12-03T01:20:00Z"))
            }
            // A round that leaves a resident out is refused, naming them; nothing is written.
            do {
                _ = try await checks.record(
                    premisesID: world.premises, dueAt: nil, entries: Array(everyone("seen").dropFirst()), by: world.manager,
                    now: at("2026-12-03T02:31:00Z"))
                Issue.record("an incomplete round was recorded")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["observations"])
                #expect(error.message.contains(people[0].personName))
            }
            // A time that is not one of the night's due times is refused.
            do {
                _ = try await checks.record(
                    premisesID: world.premises, dueAt: at("2026-12-03T02:15:00Z"), entries: everyone("seen"), by: world.manager,
                    now: at("2026-12-03T02:31:00Z"))
                Issue.record("a round off the schedule was recorded")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["dueAt"])
            }
            // The missed round recorded late stays visibly late.
            let late = try await checks.record(
                premisesID: world.premises, dueAt: at("2026-12-03T00:00:00Z"), entries: everyone("seen"), by: world.manager,
                now: at("2026-12-03T02:40:00Z"))
            #expect(late.status == .recorded && late.recordedLate)
            let rows = try await pool.query("SELECT count(*) AS n FROM night_check").first!.decode("n", as: Int64.self)
            #expect(rows == 9)
            await #expect(throws: DomainError(.conflict, "this record is append-only: it cannot be changed or removed")) {
                try await ConstraintViolations.translating { try await pool.execute("UPDATE night_check SET observation = 'seen'") }
            }
        }
    }

    @Test("verify catches a night check altered and an incident removed directly in the database")
    func tamperEvidence() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            let people = try await world.residents(["K000000", "K000001"])
            let now = at("2026-12-03T01:05:00Z")
            _ = try await NightCheckStore(pool: pool).record(
                premisesID: world.premises, dueAt: nil,
                entries: [
                    .init(placementID: people[0].id, observation: "seen"), .init(placementID: people[1].id, observation: "not_in_room"),
                ],
                by: world.manager, now: now)
            let incidents = IncidentStore(pool: pool)
            var versions = [Int64]()
            for minute in 0..<3 {
                versions.append(
                    try await incidents.record(
                        premisesID: world.premises,
                        .init(
                            kind: "damage", severity: "low", occurredAt: at("2026-12-03T00:1\(minute):00Z"), location: "kitchen",
                            summary: "a cupboard door pulled off", residents: [people[0].id], actionTaken: "door removed, repair booked"),
                        by: world.manager, now: now
                    ).version)
            }
            let clean = try await LogChainStore(pool: pool).verify(premisesID: world.premises, by: world.manager)
            #expect(clean.entries.filter { $0.key != "audit_log" } == ["curfew_log": 0, "night_checks": 2, "incidents": 3])
            #expect(clean.entries["audit_log"] ?? 0 > 0)
            #expect(clean.problems.isEmpty)

            // Someone with database access turns the triggers off: a resident "was seen" after all, and an incident goes.
            try await pool.withConnection { connection in
                try await connection.execute("SET session_replication_role = replica")
                try await connection.execute("UPDATE night_check SET observation = 'seen' WHERE placement_id = \(people[1].id)")
                try await connection.execute("DELETE FROM incident WHERE id = \(versions[1])")
                try await connection.execute("SET session_replication_role = origin")
            }
            let tampered = try await LogChainStore(pool: pool).verify(premisesID: world.premises, by: world.manager)
            #expect(tampered.problems.contains { $0.log == "night_checks" && $0.problem.contains("changed after it was recorded") })
            #expect(tampered.problems.contains { $0.log == "incidents" && $0.entryID == versions[2] && $0.problem.contains("missing") })
            #expect(!tampered.problems.contains { $0.log == "curfew_log" })
        }
    }
}
