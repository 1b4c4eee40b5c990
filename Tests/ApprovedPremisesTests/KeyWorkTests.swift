import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// Key work: sessions due, agreed actions, at Elm (London: UTC in December).
@Suite("Key work", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct KeyWorkTests {
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
            await #expect(throws: DomainError.self) {
                try await store.assignKeyWorker(people[2].id, staffID: world.admin.staffID, by: world.manager)
            }

            // A: no session since arriving on the 1st, so due on the 8th. B: seen on the 5th, next on the 9th,
            // with an action due on the 7th. C: seen on the 10th, next due on the 17th.
            let session = try await store.record(
                people[1].id,
                .init(
                    heldAt: at("2026-12-05T10:00:00Z"), durationMinutes: 45, kind: "one_to_one", topics: ["work", "family"],
                    notes: "Settling in; wants to see his daughter", nextSessionOn: day("2026-12-09"),
                    actions: [
                        ("Book GP registration", "resident", day("2026-12-07")),
                        ("Call CGL about a worker", "key worker", day("2026-12-20")),
                    ]),
                by: kim, now: at("2026-12-05T11:00:00Z"))
            #expect(session.actions.map(\.owner) == ["resident", "key worker"])
            _ = try await store.record(
                people[2].id,
                .init(
                    heldAt: at("2026-12-10T10:00:00Z"), durationMinutes: 30, kind: "induction",
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
            #expect(
                try await store.due(premisesID: world.premises, keyWorkerID: nil, by: world.manager, now: at("2026-12-12T11:00:00Z"))
                    .actions.isEmpty)
            await #expect(throws: DomainError(.conflict, "this record is append-only: it cannot be changed or removed")) {
                try await ConstraintViolations.translating { try await pool.execute("UPDATE key_work_session SET notes = 'rewritten'") }
            }
            let history: Int64 = try await pool.query(
                "SELECT count(*) AS n FROM key_worker_assignment WHERE placement_id = \(people[0].id)"
            ).first!.decode("n")
            #expect(history == 1)
        }
    }
}
