import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// A premises with beds, and the people who work with it.
struct BedWorld {
    let pool: PostgresPool
    let premises: UUID
    let admin: Principal
    let manager: Principal
    let referrals: Principal
    let rooms: RoomStore
    let placements: PlacementStore

    static func make(_ pool: PostgresPool, beds: Int, enSuite: Int = 0, code: String = "ELM") async throws -> (BedWorld, [UUID]) {
        let fixtures = Fixtures(pool: pool)
        let premises = try await fixtures.premises(code)
        try await fixtures.staff("root." + code.lowercased(), .administrator)
        try await fixtures.staff("manager." + code.lowercased(), .apManager, premises: premises)
        try await fixtures.staff("cru." + code.lowercased(), .referralManager)
        let world = BedWorld(
            pool: pool, premises: premises,
            admin: try await fixtures.signIn("root." + code.lowercased()).principal,
            manager: try await fixtures.signIn("manager." + code.lowercased()).principal,
            referrals: try await fixtures.signIn("cru." + code.lowercased()).principal,
            rooms: RoomStore(pool: pool), placements: PlacementStore(pool: pool))
        var ids = [UUID]()
        for index in 0..<beds {
            let features = index < enSuite ? ["isSingle", "hasEnSuite"] : ["isSingle"]
            let room = try await world.rooms.addRoom(
                premisesID: premises, name: "Room \(index + 1)", floor: "1", characteristics: features, by: world.admin)
            ids.append(
                try await world.rooms.addBed(
                    roomID: room.id, label: "B\(index + 1)", inUseFrom: CalendarDate("2026-01-01")!, inUseUntil: nil, by: world.admin
                ).id)
        }
        return (world, ids)
    }

    func book(_ crn: String, _ from: String, _ to: String, needs: [String] = [], bed: UUID? = nil) async throws -> Placement {
        try await placements.book(
            NewPlacement(
                premisesID: premises, crn: crn, personName: "Person \(crn)", expectedArrival: CalendarDate(from)!,
                expectedDeparture: CalendarDate(to)!, needs: needs, bedID: bed), by: manager)
    }

    /// Residents booked for 1-20 December who arrived at noon on the 1st, named "Person <CRN>".
    func residents(_ crns: [String]) async throws -> [Placement] {
        var people = [Placement]()
        for crn in crns {
            let placement = try await book(crn, "2026-12-01", "2026-12-20")
            people.append(
                try await placements.arrive(
                    placement.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: manager, now: noon("2026-12-01")))
        }
        return people
    }
}

/// Runs `body` for every item at once and collects how each ended.
func concurrently<Item: Sendable>(_ items: [Item], _ body: @escaping @Sendable (Item) async throws -> Void) async -> [Result<
    Void, any Error
>] {
    await withTaskGroup(of: Result<Void, any Error>.self) { group in
        for item in items {
            group.addTask {
                do {
                    try await body(item)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        }
        var all = [Result<Void, any Error>]()
        for await outcome in group { all.append(outcome) }
        return all
    }
}

/// A time at noon UTC on a date (midday in London, winter or summer).
func noon(_ date: String) -> Date {
    let day = CalendarDate(date)!
    return Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400 + 12 * 3600)
}

@Suite("Placements and beds", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct PlacementTests {
    @Test("50 concurrent allocations of one bed for overlapping nights: exactly one wins, 49 are told who has it")
    func concurrentAllocations() async throws {
        try await TestDatabase.withDatabase(maxConnections: 10) { pool in
            let (world, beds) = try await BedWorld.make(pool, beds: 50)
            var placements = [Placement]()
            for index in 0..<50 {
                placements.append(
                    try await world.book(String(format: "X%06d", index), "2026-12-01", index % 2 == 0 ? "2026-12-20" : "2026-12-10"))
            }
            let outcomes = await concurrently(placements) { placement in
                try await world.placements.allocate(placement.id, bedID: beds[0], from: nil, by: world.manager)
            }
            let wins = outcomes.filter { if case .success = $0 { true } else { false } }.count
            let conflicts = outcomes.compactMap { outcome -> DomainError? in
                if case .failure(let error as DomainError) = outcome, error.kind == .conflict { return error }
                return nil
            }
            #expect(wins == 1)
            #expect(conflicts.count == 49)
            #expect(conflicts.allSatisfy { $0.message.contains("already allocated to Person X") })
            let stored: Int = try await pool.query("SELECT count(*)::integer AS n FROM bed_allocation WHERE released_at IS NULL").first!
                .decode("n")
            #expect(stored == 1)
        }
    }

    @Test("50 concurrent bookings into a premises with one free bed: exactly one is booked, 49 are told the nights are full")
    func concurrentBookings() async throws {
        try await TestDatabase.withDatabase(maxConnections: 10) { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 3)
            _ = try await world.book("A000001", "2026-12-01", "2026-12-31")
            _ = try await world.book("A000002", "2026-12-01", "2026-12-31")
            let outcomes = await concurrently(Array(0..<50)) { index in
                _ = try await world.book(String(format: "Y%06d", index), "2026-12-10", "2026-12-20")
            }
            let wins = outcomes.filter { if case .success = $0 { true } else { false } }.count
            let full = outcomes.filter {
                if case .failure(let error as DomainError) = $0 {
                    return error.kind == .conflict && error.message.contains("is full on the nights of 2026-12-10 to 2026-12-19")
                }
                return false
            }.count
            #expect(wins == 1)
            #expect(full == 49)
            let booked: Int = try await pool.query("SELECT count(*)::integer AS n FROM placement").first!.decode("n")
            #expect(booked == 3)
        }
    }

    @Test("a referral manager may overbook with a reason; others may not; the board shows it")
    func overbooking() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 1)
            _ = try await world.book("A000001", "2026-12-01", "2026-12-05")
            await #expect(throws: DomainError.self) { try await world.book("A000002", "2026-12-01", "2026-12-05") }
            let forced = try await world.placements.book(
                NewPlacement(
                    premisesID: world.premises, crn: "A000002", personName: "Over Booked", expectedArrival: CalendarDate("2026-12-03")!,
                    expectedDeparture: CalendarDate("2026-12-08")!, overbookingReason: "urgent release, risk to public"),
                by: world.referrals)
            #expect(forced.overbookingReason == "urgent release, risk to public")
            let board = try await BedBoardStore(pool: pool).board(
                premisesID: world.premises, nights: Nights(first: CalendarDate("2026-12-01")!, end: CalendarDate("2026-12-08")!),
                by: world.manager)
            #expect(board.summary.map(\.overbooked) == [false, false, true, true, false, false, false])
        }
    }

    @Test("every impossible sequence is refused with a sentence saying why")
    func impossibleSequences() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 5)
            let store = world.placements
            let departure = PlacementStore.Departure(departedAt: noon("2026-12-05"), reason: "O", moveOnCategory: "MC04")

            // Departure before arrival.
            let upcoming = try await world.book("B000001", "2026-12-01", "2026-12-20")
            await #expect(throws: DomainError(.conflict, "the person has not arrived yet, so the placement cannot depart")) {
                try await store.depart(upcoming.id, departure, expectedVersion: nil, by: world.manager, now: departure.departedAt)
            }
            // Arrival after non-arrival.
            let absent = try await world.book("B000002", "2026-12-01", "2026-12-20")
            _ = try await store.recordNonArrival(absent.id, reason: "A", notes: nil, expectedVersion: nil, by: world.manager)
            await #expect(throws: DomainError(.conflict, "the person was recorded as not arriving, so the placement cannot arrive")) {
                try await store.arrive(
                    absent.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-12-01"))
            }
            // A second arrival.
            let arrived = try await store.arrive(
                upcoming.id, at: noon("2026-12-02"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-12-02"))
            #expect(arrived.status == .arrived)
            #expect(arrived.arrivalDate == CalendarDate("2026-12-02"))
            await #expect(throws: DomainError(.conflict, "the person has already arrived, so the placement cannot arrive")) {
                try await store.arrive(
                    upcoming.id, at: noon("2026-12-03"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-12-03"))
            }
            // A departure dated before the arrival.
            do {
                _ = try await store.depart(
                    upcoming.id, PlacementStore.Departure(departedAt: noon("2026-12-01"), reason: "O", moveOnCategory: "MC04"),
                    expectedVersion: nil, by: world.manager, now: noon("2026-12-01"))
                Issue.record("a departure before the arrival was recorded")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["departedAt"])
            }
            // Cancelling after arrival, and non-arrival after arrival.
            await #expect(throws: DomainError(.conflict, "the person has already arrived, so the placement cannot be cancelled")) {
                try await store.cancel(upcoming.id, reason: "ERROR", notes: nil, expectedVersion: nil, by: world.manager)
            }
            await #expect(throws: DomainError.self) {
                try await store.recordNonArrival(upcoming.id, reason: "A", notes: nil, expectedVersion: nil, by: world.manager)
            }
            // A planned move-on needs its category; then the departure stands, and a second one is refused.
            await #expect(throws: DomainError.self) {
                try await store.depart(
                    upcoming.id, PlacementStore.Departure(departedAt: noon("2026-12-06"), reason: "O"), expectedVersion: nil,
                    by: world.manager, now: noon("2026-12-06"))
            }
            let departed = try await store.depart(
                upcoming.id, departure, expectedVersion: nil, by: world.manager, now: departure.departedAt)
            #expect(departed.status == .departed)
            #expect(departed.nights == Nights(first: CalendarDate("2026-12-02")!, end: CalendarDate("2026-12-05")!))
            await #expect(throws: DomainError(.conflict, "the person has already departed, so the placement cannot depart")) {
                try await store.depart(upcoming.id, departure, expectedVersion: nil, by: world.manager, now: departure.departedAt)
            }
            // Arrival after cancellation.
            let cancelled = try await world.book("B000003", "2026-12-01", "2026-12-20")
            _ = try await store.cancel(cancelled.id, reason: "PP_REQUEST", notes: nil, expectedVersion: nil, by: world.manager)
            await #expect(throws: DomainError(.conflict, "the placement was cancelled, so it cannot arrive")) {
                try await store.arrive(
                    cancelled.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-12-01")
                )
            }
            // An unknown reason names its field.
            let other = try await world.book("B000004", "2026-12-01", "2026-12-20")
            do {
                _ = try await store.cancel(other.id, reason: "BORED", notes: nil, expectedVersion: nil, by: world.manager)
                Issue.record("an unknown reason was accepted")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["reason"])
            }
        }
    }

    @Test("the database refuses a person resident in two APs at once")
    func residentOnce() async throws {
        try await TestDatabase.withDatabase { pool in
            let (elm, _) = try await BedWorld.make(pool, beds: 2, code: "ELM")
            let (oak, _) = try await BedWorld.make(pool, beds: 2, code: "OAK")
            let first = try await elm.book("C000001", "2026-12-01", "2026-12-20")
            let second = try await oak.book("C000001", "2026-12-05", "2026-12-25")
            _ = try await elm.placements.arrive(
                first.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: elm.manager, now: noon("2026-12-01"))
            await #expect(
                throws: DomainError(
                    .conflict, "this person is already resident at an AP on those nights: record their departure there first")
            ) {
                try await oak.placements.arrive(
                    second.id, at: noon("2026-12-05"), keyWorkerID: nil, expectedVersion: nil, by: oak.manager, now: noon("2026-12-05"))
            }
            _ = try await elm.placements.depart(
                first.id, .init(departedAt: noon("2026-12-05"), reason: "O", moveOnCategory: "P", transferredTo: "Oak"),
                expectedVersion: nil, by: elm.manager, now: noon("2026-12-05"))
            let moved = try await oak.placements.arrive(
                second.id, at: noon("2026-12-05"), keyWorkerID: nil, expectedVersion: nil, by: oak.manager, now: noon("2026-12-05"))
            #expect(moved.status == .arrived)
        }
    }

    @Test("a bed lacking a needed characteristic, or out of service, is refused; taking an occupied bed out of service names who is there")
    func bedRules() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, beds) = try await BedWorld.make(pool, beds: 3, enSuite: 1)
            let needsEnSuite = try await world.book("D000001", "2026-12-01", "2026-12-10", needs: ["hasEnSuite"])
            do {
                try await world.placements.allocate(needsEnSuite.id, bedID: beds[1], from: nil, by: world.manager)
                Issue.record("a bed without en-suite was allocated")
            } catch let error as DomainError {
                #expect(error.message.contains("hasEnSuite"))
                #expect(error.problems.map(\.field) == ["bedId"])
            }
            try await world.placements.allocate(needsEnSuite.id, bedID: beds[0], from: nil, by: world.manager)

            let outOfService = OutOfServiceStore(pool: pool)
            await #expect(
                throws: DomainError(
                    .conflict,
                    "the bed is allocated on those nights to Person D000001 (D000001, 2026-12-01 to 2026-12-09); move them to another bed first"
                )
            ) {
                try await outOfService.create(
                    bedID: beds[0], nights: Nights(first: CalendarDate("2026-12-05")!, end: CalendarDate("2026-12-07")!),
                    reason: "DAMAGE", reference: "WO-1", notes: nil, by: world.manager)
            }
            let period = try await outOfService.create(
                bedID: beds[2], nights: Nights(first: CalendarDate("2026-12-01")!, end: CalendarDate("2026-12-08")!),
                reason: "DAMAGE", reference: "WO-2", notes: "window", by: world.manager)
            let plain = try await world.book("D000002", "2026-12-01", "2026-12-10")
            do {
                try await world.placements.allocate(plain.id, bedID: beds[2], from: nil, by: world.manager)
                Issue.record("an out-of-service bed was allocated")
            } catch let error as DomainError {
                #expect(error.message.contains("out of service"))
            }
            let ended = try await outOfService.end(period.id, on: CalendarDate("2026-12-03")!, by: world.manager)
            #expect(ended.nights.end == CalendarDate("2026-12-03"))
            try await world.placements.allocate(plain.id, bedID: beds[2], from: CalendarDate("2026-12-03"), by: world.manager)
            let revisions: Int = try await pool.query(
                "SELECT count(*)::integer AS n FROM bed_out_of_service_revision WHERE out_of_service_id = \(period.id)"
            ).first!.decode("n")
            #expect(revisions == 2)
        }
    }

    @Test("moving a resident part-way keeps both beds in the history, and the board shows each on its nights")
    func moveBed() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, beds) = try await BedWorld.make(pool, beds: 2)
            let stay = try await world.book("E000001", "2026-12-01", "2026-12-11", bed: beds[0])
            try await world.placements.allocate(stay.id, bedID: beds[1], from: CalendarDate("2026-12-06"), by: world.manager)
            let board = try await BedBoardStore(pool: pool).board(
                premisesID: world.premises, nights: Nights(first: CalendarDate("2026-12-01")!, end: CalendarDate("2026-12-11")!),
                by: world.manager)
            #expect(board.beds[0].nights.map(\.state) == Array(repeating: .allocated, count: 5) + Array(repeating: .free, count: 5))
            #expect(board.beds[1].nights.map(\.state) == Array(repeating: .free, count: 5) + Array(repeating: .allocated, count: 5))
            let history: Int = try await pool.query("SELECT count(*)::integer AS n FROM bed_allocation WHERE placement_id = \(stay.id)")
                .first!.decode("n")
            #expect(history == 2)
        }
    }

    @Test("an early departure, a shortened stay and a cancellation free the bed's later nights")
    func freeingBeds() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, beds) = try await BedWorld.make(pool, beds: 1)
            let first = try await world.book("F000001", "2026-12-01", "2026-12-20", bed: beds[0])
            let shortened = try await world.placements.changeDates(
                first.id, arrival: nil, departure: CalendarDate("2026-12-10"), expectedVersion: first.version, by: world.manager)
            #expect(shortened.expectedDeparture == CalendarDate("2026-12-10"))
            // The freed nights can be booked and the bed given to someone else.
            let next = try await world.book("F000002", "2026-12-10", "2026-12-20", bed: beds[0])
            #expect(next.status == .upcoming)
            // Extending back over them is refused: the premises is full then.
            await #expect(throws: DomainError.self) {
                try await world.placements.changeDates(
                    first.id, arrival: nil, departure: CalendarDate("2026-12-15"), expectedVersion: nil, by: world.manager)
            }
            _ = try await world.placements.cancel(next.id, reason: "PP_REQUEST", notes: nil, expectedVersion: nil, by: world.manager)
            let extended = try await world.placements.changeDates(
                first.id, arrival: nil, departure: CalendarDate("2026-12-15"), expectedVersion: nil, by: world.manager)
            #expect(extended.expectedDeparture == CalendarDate("2026-12-15"))
            let changes: Int = try await pool.query(
                "SELECT count(*)::integer AS n FROM placement_date_change WHERE placement_id = \(first.id)"
            ).first!.decode("n")
            #expect(changes == 2)
        }
    }
}
