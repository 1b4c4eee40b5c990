import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Handovers", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct HandoverTests {
    @Test("an unacknowledged handover stays in front of the incoming staff until each acknowledges it")
    func staysUntilAcknowledged() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("early", .residentialWorker, premises: world.premises)
            try await fixtures.staff("late.worker", .residentialWorker, premises: world.premises)
            let outgoing = try await fixtures.signIn("early").principal
            let incoming = try await fixtures.signIn("late.worker").principal
            let resident = try await world.book("K000001", "2026-12-01", "2026-12-20")
            _ = try await world.placements.arrive(
                resident.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-12-01"))
            let store = HandoverStore(pool: pool)

            let handover = try await store.write(
                premisesID: world.premises, shift: "day", notes: "Quiet day. Fire alarm test at 14:00.",
                watch: [Handover.Watch(placementID: resident.id, why: "low mood after a call with family")],
                tasks: ["Chase the GP letter"], by: outgoing)
            #expect(handover.watch.map(\.personName) == ["Person K000001"])
            #expect(try await store.pending(premisesID: world.premises, by: incoming).map(\.id) == [handover.id])
            #expect(try await store.pending(premisesID: world.premises, by: outgoing).isEmpty)

            let read = try await store.acknowledge(handover.id, by: incoming)
            #expect(read.acknowledgements.map(\.staffName) == ["Late.Worker"])
            #expect(try await store.pending(premisesID: world.premises, by: incoming).isEmpty)
            #expect(try await store.pending(premisesID: world.premises, by: world.manager).map(\.id) == [handover.id])
            // Acknowledging twice records it once.
            #expect(try await store.acknowledge(handover.id, by: incoming).acknowledgements.count == 1)
            #expect(try await store.latest(premisesID: world.premises, by: world.manager)?.tasks == ["Chase the GP letter"])

            await #expect(throws: DomainError.self) {
                try await store.write(premisesID: world.premises, shift: "twilight", notes: " ", watch: [], tasks: [], by: outgoing)
            }
            await #expect(throws: DomainError(.conflict, "this record is append-only: it cannot be changed or removed")) {
                try await ConstraintViolations.translating { try await pool.execute("UPDATE handover SET notes = 'nothing happened'") }
            }
        }
    }
}
