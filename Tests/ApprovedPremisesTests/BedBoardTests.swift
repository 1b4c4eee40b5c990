import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("The bed board", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct BedBoardTests {
    /// December 2026 at a premises with three beds and a fourth from the 16th:
    ///
    ///     bed  1 ......10 11 12 13 14 15 16 ...... 20 ...... 30 31
    ///     B1   P1 P1 ... P1 .  .  .  .  .  .               .  .
    ///     B2   .  ...    .  .  P3 P3 P3 P3 P3 ... P3 ... P3 .
    ///     B3   .  ...    X  X  X  X  X  .  .               .  .     (out of service 10-14)
    ///     B4   -  ...                   -  .  ... P4 ... P4 P4      (in use from the 16th)
    ///     P2 booked 5-24 with no bed; P5 booked 3-7 and cancelled.
    ///
    /// Worked out by hand: usable bed-nights 62 + 26 + 16 = 104; booked 10 + 20 + 19 + 12 = 61;
    /// allocated 10 + 19 + 12 = 41; unallocated 20 (P2's nights); out of service 5; never overbooked.
    @Test("a night when more stays need a room characteristic than usable beds have it is flagged, naming the characteristic")
    func characteristicOverbooking() async throws {
        try await TestDatabase.withDatabase { pool in
            // Three beds, one of them en-suite; two stays need en-suite on 3-5 December (one booked
            // anyway by the referral unit, with its reason), one stay needs nothing.
            let (world, _) = try await BedWorld.make(pool, beds: 3, enSuite: 1)
            _ = try await world.book("E000001", "2026-12-01", "2026-12-06", needs: ["hasEnSuite"])
            _ = try await world.placements.book(
                NewPlacement(
                    premisesID: world.premises, crn: "E000002", personName: "Person E000002", expectedArrival: CalendarDate("2026-12-03")!,
                    expectedDeparture: CalendarDate("2026-12-06")!, needs: ["hasEnSuite"], overbookingReason: "wheelchair user, no other AP"
                ),
                by: world.referrals)
            _ = try await world.book("E000003", "2026-12-01", "2026-12-10")
            let board = try await BedBoardStore(pool: pool).board(
                premisesID: world.premises, nights: Nights(first: CalendarDate("2026-12-01")!, end: CalendarDate("2026-12-08")!),
                by: world.manager, now: noon("2026-11-30"))
            let short = board.summary.filter(\.overbooked).map(\.night.description)
            #expect(short == ["2026-12-03", "2026-12-04", "2026-12-05"], "\(board.summary.map { ($0.night, $0.overbookedNeeds) })")
            #expect(board.summary.filter(\.overbooked).allSatisfy { $0.overbookedNeeds == ["hasEnSuite"] && $0.booked <= $0.usableBeds })

            // The occupancy report counts the same three nights as overbooked, all for a characteristic.
            let report = try await ReportStore(pool: pool).occupancy(
                .premises(world.premises), from: CalendarDate("2026-12-01")!,
                to: CalendarDate("2026-12-08")!, period: .day, by: world.manager)
            #expect(report.rows.filter { $0.overbookedNights > 0 }.map(\.from.description) == short)
            #expect(report.total.overbookedNights == 3 && report.total.overbookedForNeedsNights == 3)
            let weekly = try await ReportStore(pool: pool).occupancy(
                .premises(world.premises), from: CalendarDate("2026-12-01")!,
                to: CalendarDate("2026-12-08")!, period: .week, by: world.manager)
            #expect(weekly.rows.map(\.overbookedForNeedsNights).reduce(0, +) == 3)
        }
    }

    @Test("a scripted month's counts equal the ones worked out by hand")
    func scriptedMonth() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, beds) = try await BedWorld.make(pool, beds: 3)
            let room = try await world.rooms.addRoom(
                premisesID: world.premises, name: "Room 4", floor: "2", characteristics: [], by: world.admin)
            let b4 = try await world.rooms.addBed(
                roomID: room.id, label: "B4", inUseFrom: CalendarDate("2026-12-16")!, inUseUntil: nil, by: world.admin
            ).id
            _ = try await OutOfServiceStore(pool: pool).create(
                bedID: beds[2], nights: Nights(first: CalendarDate("2026-12-10")!, end: CalendarDate("2026-12-15")!),
                reason: "FLOOD_FIRE", reference: "WO-77", notes: nil, by: world.manager)
            let p1 = try await world.book("P000001", "2026-12-01", "2026-12-11", bed: beds[0])
            _ = try await world.book("P000002", "2026-12-05", "2026-12-25")
            _ = try await world.book("P000003", "2026-12-12", "2026-12-31", bed: beds[1])
            _ = try await world.book("P000004", "2026-12-20", "2027-01-10", bed: b4)
            let p5 = try await world.book("P000005", "2026-12-03", "2026-12-08")
            _ = try await world.placements.cancel(p5.id, reason: "ALTERNATIVE_AP", notes: nil, expectedVersion: nil, by: world.manager)
            _ = try await world.placements.arrive(
                p1.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-12-01"))

            let board = try await BedBoardStore(pool: pool).board(
                premisesID: world.premises, nights: Nights(first: CalendarDate("2026-12-01")!, end: CalendarDate("2027-01-01")!),
                by: world.manager, now: noon("2026-12-05"))

            #expect(board.nights.count == 31)
            #expect(board.summary.map(\.usableBeds).reduce(0, +) == 104)
            #expect(board.summary.map(\.booked).reduce(0, +) == 61)
            #expect(board.summary.map(\.allocated).reduce(0, +) == 41)
            #expect(board.summary.map(\.unallocated).reduce(0, +) == 20)
            #expect(board.summary.map(\.outOfServiceBeds).reduce(0, +) == 5)
            #expect(board.summary.filter(\.overbooked).isEmpty)
            // Night by night, for a few nights checked by hand.
            let night = { (day: Int) in board.summary[day - 1] }
            #expect(night(5).usableBeds == 3 && night(5).booked == 2 && night(5).freeBeds == 1)
            #expect(night(10).usableBeds == 2 && night(10).booked == 2 && night(10).freeBeds == 0)
            #expect(night(20).usableBeds == 4 && night(20).booked == 3 && night(20).allocated == 2)
            #expect(night(31).usableBeds == 4 && night(31).booked == 1)
            // Beds.
            #expect(board.beds.map(\.label) == ["B1", "B2", "B3", "B4"])
            #expect(board.beds[2].nights[9].state == .outOfService && board.beds[2].nights[9].reason == "FLOOD_FIRE")
            #expect(board.beds[3].nights[14].state == .notInUse && board.beds[3].nights[15].state == .free)
            #expect(board.beds[0].nights[0].personName == "Person P000001")
            // Today, the 5th.
            #expect(board.today == CalendarDate("2026-12-05"))
            #expect(board.arrivingToday.map(\.crn) == ["P000002"])
            #expect(board.residents.map(\.crn) == ["P000001"])
            #expect(board.residents.first?.bedLabel == "B1")
            #expect(board.departingToday.isEmpty)
        }
    }

    @Test("on a departure day the leaver is listed with the bed they slept in, and the bed shows free tonight")
    func departureDay() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, beds) = try await BedWorld.make(pool, beds: 1)
            let stay = try await world.book("H000001", "2026-12-01", "2026-12-05", bed: beds[0])
            _ = try await world.placements.arrive(
                stay.id, at: noon("2026-12-01"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-12-01"))
            let board = try await BedBoardStore(pool: pool).board(
                premisesID: world.premises, nights: Nights(first: CalendarDate("2026-12-05")!, end: CalendarDate("2026-12-08")!),
                by: world.manager, now: noon("2026-12-05"))
            #expect(board.departingToday.map(\.crn) == ["H000001"])
            #expect(board.departingToday.first?.bedLabel == "B1")
            #expect(board.beds[0].nights.map(\.state) == [.free, .free, .free])
        }
    }

    @Test("AP staff of another premises cannot see the board")
    func otherPremises() async throws {
        try await TestDatabase.withDatabase { pool in
            let (_, _) = try await BedWorld.make(pool, beds: 1, code: "ELM")
            let (oak, _) = try await BedWorld.make(pool, beds: 1, code: "OAK")
            let elmManager = try await Fixtures(pool: pool).signIn("manager.elm").principal
            await #expect(throws: DomainError.self) {
                try await BedBoardStore(pool: pool).board(
                    premisesID: oak.premises, nights: Nights(first: CalendarDate("2026-12-01")!, end: CalendarDate("2026-12-02")!),
                    by: elmManager)
            }
        }
    }
}
