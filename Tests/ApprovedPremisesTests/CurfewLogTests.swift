import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("The sign-out and sign-in log", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct CurfewLogTests {
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    /// Five residents at Elm (curfew 23:00-07:00, London: UTC in December), arrived on 1 December.
    func residents(_ world: BedWorld) async throws -> [Placement] {
        var placements = [Placement]()
        for (index, name) in ["Ada", "Bo", "Cy", "Di", "Ed"].enumerated() {
            let placement = try await world.placements.book(
                NewPlacement(
                    premisesID: world.premises, crn: String(format: "N%06d", index), personName: name,
                    expectedArrival: CalendarDate("2026-12-01")!, expectedDeparture: CalendarDate("2026-12-20")!), by: world.manager)
            placements.append(
                try await world.placements.arrive(
                    placement.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-12-01")
                ))
        }
        return placements
    }

    @Test("who is in now: late first by minutes, then due back soon, out, away with permission, in")
    func tonight() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 5)
            let people = try await residents(world)
            let log = CurfewStore(pool: pool)
            let now = at("2026-12-02T23:40:00Z")
            _ = try await log.record(
                people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T20:00:00Z"), destination: "sister's"), by: world.manager,
                now: now)
            _ = try await log.record(
                people[1].id, .init(kind: "out", occurredAt: at("2026-12-02T23:20:00Z"), destination: "shop"), by: world.manager, now: now)
            _ = try await log.record(
                people[2].id, .init(kind: "out", occurredAt: at("2026-12-02T18:00:00Z"), withPermission: true), by: world.manager, now: now)
            _ = try await log.record(people[3].id, .init(kind: "out", occurredAt: at("2026-12-02T19:00:00Z")), by: world.manager, now: now)
            _ = try await log.record(people[3].id, .init(kind: "in", occurredAt: at("2026-12-02T22:30:00Z")), by: world.manager, now: now)
            let states = try await log.tonight(premisesID: world.premises, by: world.manager, now: now)
            #expect(states.map(\.personName) == ["Ada", "Bo", "Cy", "Di", "Ed"])
            #expect(states.map(\.state) == [.late, .late, .awayWithPermission, .in, .in])
            #expect(states.map(\.minutesLate) == [40, 20, nil, nil, nil])

            let evening = at("2026-12-02T22:40:00Z")
            let early = try await log.tonight(premisesID: world.premises, by: world.manager, now: evening)
            #expect(early.first { $0.personName == "Ada" }?.state == .dueBackSoon)
        }
    }

    @Test("a correction is a new entry: the original stays as it was, marked corrected")
    func correction() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 5)
            // Real times here: the log stamps when an entry is recorded with the database's own clock;
            // so the resident arrived two days ago.
            let now = Date()
            let today = CalendarDate.today(in: TimeZone(identifier: "Europe/London")!, now: now)
            let booked = try await world.book("N000001", today.adding(days: -2).description, today.adding(days: 20).description)
            let people = [
                try await world.placements.arrive(
                    booked.id, at: now.addingTimeInterval(-2 * 86_400), keyWorkerID: nil, expectedVersion: nil,
                    by: world.manager, now: now.addingTimeInterval(-2 * 86_400))
            ]
            let log = CurfewStore(pool: pool)
            let wrong = try await log.record(
                people[0].id, .init(kind: "out", occurredAt: now.addingTimeInterval(-3600)), by: world.manager, now: now)
            let fixed = try await log.correct(
                wrong.id, with: .init(kind: "out", occurredAt: now.addingTimeInterval(-7200)),
                reason: "CCTV shows an hour earlier", by: world.manager, now: now)
            #expect(fixed.correctsID == wrong.id)
            #expect(fixed.isLateEntry)
            #expect(!wrong.isLateEntry || wrong.recordedAt.timeIntervalSince(wrong.occurredAt) > 900)
            let entries = try await log.log(people[0].id, by: world.manager)
            let original = try #require(entries.first { $0.id == wrong.id })
            #expect(abs(original.occurredAt.timeIntervalSince(now.addingTimeInterval(-3600))) < 0.001)
            #expect(original.correctedByID == fixed.id)
            await #expect(throws: DomainError(.conflict, "this record is append-only: it cannot be changed or removed")) {
                try await ConstraintViolations.translating { try await pool.execute("UPDATE movement SET occurred_at = now()") }
            }
            // Nothing is recorded from before the resident arrived.
            do {
                _ = try await log.record(
                    people[0].id, .init(kind: "in", occurredAt: now.addingTimeInterval(-3 * 86_400)), by: world.manager, now: now)
                Issue.record("an entry before the arrival was recorded")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["occurredAt"])
            }
            // Signing out again is refused: the correction stands for the first.
            await #expect(throws: DomainError.self) {
                try await log.record(people[0].id, .init(kind: "out", occurredAt: now), by: world.manager, now: now)
            }
        }
    }

    @Test("verify catches an entry altered, and one removed, directly in the database")
    func tamperEvidence() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 5)
            let people = try await residents(world)
            let log = CurfewStore(pool: pool)
            let now = at("2026-12-03T01:00:00Z")
            var ids = [Int64]()
            for (index, person) in people.enumerated() {
                ids.append(
                    try await log.record(
                        person.id, .init(kind: "out", occurredAt: at("2026-12-02T20:0\(index):00Z")), by: world.manager, now: now
                    ).id)
            }
            let clean = try await LogChainStore(pool: pool).verify(premisesID: world.premises, by: world.manager)
            #expect(clean.entries["curfew_log"] == 5 && clean.problems.isEmpty)

            // Someone with database access turns the triggers off and rewrites history.
            try await pool.withConnection { connection in
                try await connection.execute("SET session_replication_role = replica")
                try await connection.execute("UPDATE movement SET occurred_at = '2026-12-02T22:59:00Z' WHERE id = \(ids[1])")
                try await connection.execute("DELETE FROM movement WHERE id = \(ids[3])")
                try await connection.execute("SET session_replication_role = origin")
            }
            let tampered = try await LogChainStore(pool: pool).verify(premisesID: world.premises, by: world.manager)
            #expect(tampered.problems.contains { $0.entryID == ids[1] && $0.problem.contains("changed after it was recorded") })
            #expect(tampered.problems.contains { $0.entryID == ids[4] && $0.problem.contains("missing") })
        }
    }

    /// The message of the 409 `body` is refused with, and that it wrote nothing.
    func refusal(_ pool: PostgresPool, _ body: () async throws -> Movement) async throws -> String {
        let before: Int = try await pool.query("SELECT count(*)::integer AS n FROM movement").first!.decode("n")
        let audits: Int = try await pool.query("SELECT count(*)::integer AS n FROM audit_event").first!.decode("n")
        do {
            _ = try await body()
        } catch let error as DomainError {
            #expect(error.kind == .conflict, "\(error)")
            #expect(try await pool.query("SELECT count(*)::integer AS n FROM movement").first!.decode("n") == before, "nothing written")
            #expect(try await pool.query("SELECT count(*)::integer AS n FROM audit_event").first!.decode("n") == audits, "nothing audited")
            return error.message
        }
        Issue.record("the entry was recorded")
        return ""
    }

    @Test("a sign-in only for someone out, a sign-out only for someone in: live, late, and by correction, the arrival counting as in")
    func alternation() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 5)
            let people = try await residents(world)
            let log = CurfewStore(pool: pool)
            let now = at("2026-12-03T09:00:00Z")
            // Ada has no entry since she arrived: she is in.
            let arrived = try await refusal(pool) {
                try await log.record(people[0].id, .init(kind: "in", occurredAt: at("2026-12-03T08:59:00Z")), by: world.manager, now: now)
            }
            #expect(arrived.hasPrefix("Ada is in (arrived 12:00 on 1 December 2026), so cannot be signed in"), "\(arrived)")
            // Late, with a time: her state then is read the same way.
            let late = try await refusal(pool) {
                try await log.record(people[0].id, .init(kind: "in", occurredAt: at("2026-12-02T23:30:00Z")), by: world.manager, now: now)
            }
            #expect(
                late.hasPrefix("Ada was in (arrived 12:00 on 1 December 2026) at 23:30 on 2 December 2026, so cannot be signed in then"),
                "\(late)")
            // Out at 20:00, then out again at 21:00 (late): refused, naming the sign-out.
            let out = try await log.record(
                people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T20:00:00Z")), by: world.manager, now: now)
            let twice = try await refusal(pool) {
                try await log.record(people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T21:00:00Z")), by: world.manager, now: now)
            }
            #expect(twice.contains("Ada was out (signed out at 20:00 on 2 December 2026)"), "\(twice)")
            // Before the sign-out she was in: a sign-in then is refused too.
            _ = try await refusal(pool) {
                try await log.record(people[0].id, .init(kind: "in", occurredAt: at("2026-12-02T19:00:00Z")), by: world.manager, now: now)
            }
            // A paper night typed up in order around an entry recorded since: in at 23:40 is right.
            let back = try await log.record(
                people[0].id, .init(kind: "in", occurredAt: at("2026-12-02T23:40:00Z")), by: world.manager, now: now)
            let morning = try await log.record(
                people[0].id, .init(kind: "out", occurredAt: at("2026-12-03T08:30:00Z")), by: world.manager, now: now)

            // Corrections: turning the 23:40 sign-in into a sign-out would make three sign-outs in a row.
            let corrected = try await refusal(pool) {
                try await log.correct(
                    back.id, with: .init(kind: "out", occurredAt: at("2026-12-02T23:40:00Z")), reason: "wrong button", by: world.manager,
                    now: now)
            }
            #expect(corrected.contains("that correction would leave Ada signed out twice in a row"), "\(corrected)")
            // Moving it past the morning's sign-out would leave two sign-outs in a row too.
            _ = try await refusal(pool) {
                try await log.correct(
                    back.id, with: .init(kind: "in", occurredAt: at("2026-12-03T08:45:00Z")), reason: "wrong time", by: world.manager,
                    now: now)
            }
            // A correction before the arrival is refused as an order of its own.
            await #expect(throws: DomainError.self) {
                try await log.correct(
                    out.id, with: .init(kind: "out", occurredAt: at("2026-11-30T20:00:00Z")), reason: "wrong day", by: world.manager,
                    now: now)
            }
            // A sign-in at a better time is fine; so is saying the morning's sign-out never happened (she stayed in).
            let better = try await log.correct(
                back.id, with: .init(kind: "in", occurredAt: at("2026-12-02T23:35:00Z")), reason: "the clock was fast",
                by: world.manager, now: now)
            _ = try await log.correct(
                morning.id, with: .init(kind: "in", occurredAt: at("2026-12-03T08:30:00Z")), reason: "signed out the wrong resident",
                by: world.manager, now: now)
            // An entry already corrected is not corrected again: the correction is.
            let again = try await refusal(pool) {
                try await log.correct(
                    back.id, with: .init(kind: "in", occurredAt: at("2026-12-02T23:36:00Z")), reason: "once more", by: world.manager,
                    now: now)
            }
            #expect(again.contains("was already corrected by entry \(better.id)"), "\(again)")
            let states = try await log.tonight(premisesID: world.premises, by: world.manager, now: now)
            #expect(states.first { $0.placementID == people[0].id }?.state == .in)
        }
    }

    @Test("the log's order rule, read without a database")
    func logOrderRule() {
        func step(_ id: Int64?, _ kind: String, _ time: String) -> LogOrder.Step { .init(id: id, kind: kind, at: at(time)) }
        let out = step(1, "out", "2026-12-02T20:00:00Z")
        let back = step(2, "in", "2026-12-02T23:00:00Z")
        // From the arrival, the first entry must be a sign-out.
        let early = step(nil, "in", "2026-12-02T19:00:00Z")
        #expect(LogOrder.firstRepeat(adding: early, to: [], fromArrival: true) == .init(before: nil, after: early))
        #expect(LogOrder.firstRepeat(adding: step(nil, "out", "2026-12-02T19:00:00Z"), to: [], fromArrival: true) == nil)
        // Between an out and an in, either kind repeats one of them.
        #expect(LogOrder.firstRepeat(adding: step(nil, "in", "2026-12-02T21:00:00Z"), to: [out, back], fromArrival: true)?.after == back)
        #expect(LogOrder.firstRepeat(adding: step(nil, "out", "2026-12-02T21:00:00Z"), to: [out, back], fromArrival: true)?.before == out)
        // After them, an out is fine; with nothing known before, the first entry is not held to the arrival.
        #expect(LogOrder.firstRepeat(adding: step(nil, "out", "2026-12-03T01:00:00Z"), to: [out, back], fromArrival: true) == nil)
        #expect(LogOrder.firstRepeat(adding: step(nil, "in", "2026-12-02T19:00:00Z"), to: [out], fromArrival: false) == nil)
        #expect(LogOrder.firstRepeat(adding: step(nil, "out", "2026-12-02T19:00:00Z"), to: [out], fromArrival: false)?.after == out)
        // A correction may restate the state before it, never be repeated by what follows.
        let void = step(nil, "in", "2026-12-02T20:00:00Z")
        #expect(LogOrder.firstRepeat(adding: void, to: [], fromArrival: true, restating: true) == nil)
        #expect(LogOrder.firstRepeat(adding: void, to: [back], fromArrival: true, restating: true) == .init(before: void, after: back))
    }
}
