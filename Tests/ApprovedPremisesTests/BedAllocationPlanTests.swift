import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Allocation planner")
struct BedAllocationPlanTests {
    let day0 = CalendarDate("2026-12-01")!

    func nights(_ from: Int, _ to: Int) -> Nights { Nights(first: day0.adding(days: from), end: day0.adding(days: to)) }

    func bed(_ label: String, _ features: Set<String> = ["isSingle"], busy: [Nights] = []) -> AllocationPlanner.BedSlot {
        .init(id: UUID(), label: label, characteristics: features, inUse: nights(-100, 1000), busy: busy)
    }

    @Test("back-to-back stays share a bed, so every placement fits without a move")
    func packsStays() {
        let beds = [bed("1"), bed("2")]
        let requests = [
            AllocationPlanner.Request(placementID: UUID(), personName: "A", nights: nights(0, 10), needs: []),
            AllocationPlanner.Request(placementID: UUID(), personName: "B", nights: nights(5, 15), needs: []),
            AllocationPlanner.Request(placementID: UUID(), personName: "C", nights: nights(10, 20), needs: []),
            AllocationPlanner.Request(placementID: UUID(), personName: "D", nights: nights(15, 25), needs: []),
        ]
        let plan = AllocationPlanner.plan(requests, beds: beds)
        #expect(plan.unfitted.isEmpty)
        #expect(plan.assignments.count == 4)
        let bedOf = Dictionary(uniqueKeysWithValues: plan.assignments.map { ($0.placementID, $0.bedID) })
        #expect(bedOf[requests[0].placementID] == bedOf[requests[2].placementID])
        #expect(bedOf[requests[1].placementID] == bedOf[requests[3].placementID])
    }

    @Test("a special room is kept for whoever needs it")
    func keepsSpecialRooms() {
        let plain = bed("plain")
        let wheelchair = bed("accessible", ["isSingle", "isWheelchairDesignated"])
        let walker = AllocationPlanner.Request(placementID: UUID(), personName: "A", nights: nights(0, 10), needs: [])
        let wheelchairUser = AllocationPlanner.Request(
            placementID: UUID(), personName: "B", nights: nights(2, 12), needs: ["isWheelchairDesignated"])
        let plan = AllocationPlanner.plan([walker, wheelchairUser], beds: [wheelchair, plain])
        #expect(plan.unfitted.isEmpty)
        let bedOf = Dictionary(uniqueKeysWithValues: plan.assignments.map { ($0.placementID, $0.bedID) })
        #expect(bedOf[walker.placementID] == plain.id)
        #expect(bedOf[wheelchairUser.placementID] == wheelchair.id)
    }

    @Test("a placement that cannot fit is named with the reason")
    func saysWhy() {
        let beds = [bed("1", busy: [nights(3, 4)]), bed("2", ["isSingle", "hasEnSuite"], busy: [nights(0, 30)])]
        let needsLift = AllocationPlanner.Request(
            placementID: UUID(), personName: "A", nights: nights(0, 10), needs: ["isStepFreeDesignated"])
        let needsEnSuite = AllocationPlanner.Request(placementID: UUID(), personName: "B", nights: nights(0, 10), needs: ["hasEnSuite"])
        let plan = AllocationPlanner.plan([needsLift, needsEnSuite], beds: beds)
        #expect(plan.assignments.isEmpty)
        #expect(
            plan.unfitted.map(\.reason) == [
                "no bed at the premises has isStepFreeDesignated",
                "every bed with hasEnSuite is taken or out of service on some night of 2026-12-01 to 2026-12-10 (1 suitable, none free throughout): it would need a move part-way",
            ])
    }
}

@Suite("Allocation plan against the database", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct AllocationPlanStoreTests {
    @Test("applying the plan gives every upcoming placement a bed for its whole stay")
    func apply() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, beds) = try await BedWorld.make(pool, beds: 3, enSuite: 1)
            _ = try await world.book("G000001", "2026-12-01", "2026-12-10", bed: beds[1])
            _ = try await world.book("G000002", "2026-12-02", "2026-12-12", needs: ["hasEnSuite"])
            _ = try await world.book("G000003", "2026-12-10", "2026-12-20")
            _ = try await world.book("G000004", "2026-12-05", "2026-12-09")
            let preview = try await AllocationPlanStore(pool: pool).suggest(
                premisesID: world.premises, apply: false, by: world.manager, now: noon("2026-11-20"))
            #expect(preview.plan.assignments.count == 3)
            #expect(preview.plan.unfitted.isEmpty)
            let unallocatedBefore: Int = try await pool.query("SELECT count(*)::integer AS n FROM bed_allocation").first!.decode("n")
            #expect(unallocatedBefore == 1)
            _ = try await AllocationPlanStore(pool: pool).suggest(
                premisesID: world.premises, apply: true, by: world.manager, now: noon("2026-11-20"))
            let board = try await BedBoardStore(pool: pool).board(
                premisesID: world.premises, nights: Nights(first: CalendarDate("2026-12-01")!, end: CalendarDate("2026-12-20")!),
                by: world.manager)
            #expect(board.summary.allSatisfy { $0.unallocated == 0 })
            let enSuite = board.beds.first { $0.characteristics.contains("hasEnSuite") }!
            #expect(enSuite.nights[1].crn == "G000002")
        }
    }
}
