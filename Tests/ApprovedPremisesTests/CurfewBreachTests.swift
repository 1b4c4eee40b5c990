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
            var people = [Placement]()
            for index in 0..<3 {
                let placement = try await world.book(String(format: "B%06d", index), "2026-12-01", "2026-12-20")
                people.append(try await world.placements.arrive(placement.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: world.manager))
            }
            let log = MovementLog(pool: pool)
            _ = try await log.record(people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T20:00:00Z")), by: world.manager, now: at("2026-12-02T20:01:00Z"))

            #expect(try await CurfewBreaches.scan(pool: pool, now: at("2026-12-02T22:59:00Z")) == 0)
            #expect(try await CurfewBreaches.scan(pool: pool, now: at("2026-12-02T23:01:00Z")) == 1)
            #expect(try await CurfewBreaches.scan(pool: pool, now: at("2026-12-02T23:20:00Z")) == 0)
            var open = try await CurfewBreaches.list(pool: pool, premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.map(\.personName) == ["Person B000000"])
            #expect(open.first?.windowStart == at("2026-12-02T23:00:00Z"))

            // The second resident goes out after the curfew began; the job finds them too.
            _ = try await log.record(people[1].id, .init(kind: "out", occurredAt: at("2026-12-02T23:30:00Z")), by: world.manager, now: at("2026-12-02T23:31:00Z"))
            #expect(try await CurfewBreaches.scan(pool: pool, now: at("2026-12-02T23:40:00Z")) == 1)

            _ = try await log.record(people[0].id, .init(kind: "in", occurredAt: at("2026-12-02T23:47:00Z")), by: world.manager, now: at("2026-12-02T23:50:00Z"))
            _ = try await log.record(people[1].id, .init(kind: "in", occurredAt: at("2026-12-02T23:45:00Z")), by: world.manager, now: at("2026-12-02T23:50:00Z"))
            open = try await CurfewBreaches.list(pool: pool, premisesID: world.premises, openOnly: true, by: world.manager)
            #expect(open.isEmpty)
            let all = try await CurfewBreaches.list(pool: pool, premisesID: world.premises, openOnly: false, by: world.manager)
            #expect(Dictionary(uniqueKeysWithValues: all.map { ($0.personName, $0.minutesLate) }) == ["Person B000000": 47, "Person B000001": 15])
        }
    }
}
