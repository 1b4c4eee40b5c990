import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// Move-on: plans, pathways and the flag four weeks out, at Elm (London: UTC in December).
@Suite("Move-on", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct MoveOnTests {
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
    func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    @Test("a resident within four weeks of leaving with no address is flagged; an address clears it; the departure closes the plan")
    func moveOnFlag() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            let soon = try await world.residents(["M000001"])[0]  // leaves on 20 December
            let later = try await world.placements.book(
                NewPlacement(
                    premisesID: world.premises, crn: "M000002", personName: "Person M000002",
                    expectedArrival: day("2026-12-01"), expectedDeparture: day("2027-03-01")), by: world.manager)
            _ = try await world.placements.arrive(
                later.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-12-01"))
            let moveOn = MoveOnStore(pool: pool)
            var plan = try await moveOn.plan(soon.id, by: world.manager)
            #expect(plan.targetDate == day("2026-12-20") && plan.address == nil)

            plan = try await moveOn.addPathway(
                soon.id, kind: "cas3_referral", detail: "CAS3 Manchester", by: world.manager, now: at("2026-12-02T10:00:00Z"))
            plan = try await moveOn.updatePathway(
                plan.pathways[0].id, status: "applied", on: day("2026-12-02"), note: "referral sent", by: world.manager,
                now: at("2026-12-02T10:00:00Z"))
            #expect(plan.pathways.map(\.status) == [.applied])

            // On 21 November the stay is still more than four weeks from its end; from the 22nd it is flagged.
            #expect(
                try await moveOn.flags(premisesID: world.premises, keyWorkerID: nil, by: world.manager, now: at("2026-11-21T12:00:00Z"))
                    .isEmpty)
            let flags = try await moveOn.flags(
                premisesID: world.premises, keyWorkerID: nil, by: world.manager, now: at("2026-12-02T12:00:00Z"))
            #expect(flags.map(\.personName) == ["Person M000001"])
            #expect(flags.first?.daysLeft == 18)
            #expect(flags.first?.pathways == ["cas3_referral: applied"])

            plan = try await moveOn.setAddress(
                soon.id, address: "Flat 2, 10 Hope Street, Manchester M14", confirmedOn: day("2026-12-10"), by: world.manager,
                now: at("2026-12-10T12:00:00Z"))
            #expect(
                try await moveOn.flags(premisesID: world.premises, keyWorkerID: nil, by: world.manager, now: at("2026-12-10T12:00:00Z"))
                    .isEmpty)

            _ = try await world.placements.depart(
                soon.id, .init(departedAt: at("2026-12-20T10:00:00Z"), reason: "O", moveOnCategory: "MC04"),
                expectedVersion: nil, by: world.manager, now: at("2026-12-20T10:00:00Z"))
            plan = try await moveOn.plan(soon.id, by: world.manager)
            #expect(plan.closedAt == at("2026-12-20T10:00:00Z") && plan.moveOnCategory == "MC04")
            await #expect(throws: DomainError.self) {
                try await moveOn.addPathway(soon.id, kind: "family", detail: nil, by: world.manager)
            }
        }
    }
}
