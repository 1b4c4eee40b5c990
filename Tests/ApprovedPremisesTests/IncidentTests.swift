import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("The incident log", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct IncidentTests {
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("an amendment is a new version with a reason; the first stays as written; a stale amendment is refused")
    func amendments() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            let resident = try await world.residents(["I000001"])[0]
            let incidents = IncidentStore(pool: pool)
            let now = at("2026-12-03T02:30:00Z")
            let first = try await incidents.record(
                premisesID: world.premises,
                .init(
                    kind: "self_harm", severity: "high", occurredAt: at("2026-12-03T01:50:00Z"), location: "Room 1",
                    summary: "found with superficial cuts to the forearm during the 02:00 check", residents: [resident.id],
                    staff: [world.manager.staffID], actionTaken: "first aid; 111 called; observations every 15 minutes",
                    told: ["on-call manager 02:05", "probation practitioner by email 02:20"]), by: world.manager, now: now)
            #expect(first.versions == 1 && first.amendsVersion == nil)
            #expect(first.residents.map(\.name) == ["Person I000001"])
            #expect(first.told.count == 2)

            var details = IncidentStore.Details(
                kind: "self_harm", severity: "critical", occurredAt: at("2026-12-03T01:50:00Z"), location: "Room 1",
                summary: "found with cuts to the forearm needing hospital treatment", residents: [resident.id],
                staff: [world.manager.staffID],
                actionTaken: "first aid; ambulance; resident taken to hospital",
                told: ["on-call manager 02:05", "probation practitioner 02:20"])
            let second = try await incidents.amend(
                number: first.number, details, reason: "paramedics' assessment", expectedVersion: first.version,
                by: world.manager, now: at("2026-12-03T03:10:00Z"))
            #expect(second.number == first.number && second.version != first.version && second.versions == 2)
            #expect(second.amendsVersion == first.version && second.amendmentReason == "paramedics' assessment")

            // Someone working from the first version is told it changed.
            details.summary = "another view"
            await #expect(throws: DomainError.self) {
                try await incidents.amend(
                    number: first.number, details, reason: "x", expectedVersion: first.version, by: world.manager, now: now)
            }
            let history = try await incidents.history(first.number, by: world.manager)
            #expect(history.map(\.severity) == [.high, .critical])
            #expect(history[0] == first)
            let listed = try await incidents.list(premisesID: world.premises, since: nil, by: world.manager)
            #expect(listed.map(\.version) == [second.version])
            #expect(
                try await incidents.list(premisesID: world.premises, since: nil, placementID: resident.id, by: world.manager).count == 1)

            // Bad input names every field; a stranger to the premises is refused.
            do {
                _ = try await incidents.record(
                    premisesID: world.premises,
                    .init(
                        kind: "fight", severity: "awful", occurredAt: now.addingTimeInterval(3600), location: " ", summary: "x",
                        residents: [UUID()], actionTaken: "none"), by: world.manager, now: now)
                Issue.record("a bad incident was recorded")
            } catch let error as DomainError {
                #expect(Set(error.problems.map(\.field)) == ["kind", "severity", "occurredAt", "location"])
            }
            await #expect(throws: DomainError.self) {
                try await incidents.record(
                    premisesID: world.premises,
                    .init(
                        kind: "other", severity: "low", occurredAt: now, location: "hall", summary: "x", residents: [UUID()],
                        actionTaken: "none"),
                    by: world.manager, now: now)
            }
            await #expect(throws: DomainError(.conflict, "this record is append-only: it cannot be changed or removed")) {
                try await ConstraintViolations.translating { try await pool.execute("DELETE FROM incident") }
            }
        }
    }
}
