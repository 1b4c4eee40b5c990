import Foundation
import Postgres

/// The occupancy of every premises of a region (or the country) night by night: usable beds
/// and the placements occupying them, as the bed board counts them, for finding where there is
/// room and which premises are full or overbooked.
public struct OccupancyBoard: Sendable, Equatable {
    /// One premises-night (or the scope's total for a night).
    public struct Cell: Sendable, Equatable {
        public var usableBeds: Int
        public var booked: Int
        /// Usable beds no placement occupies (for a total, the sum of each premises' free beds:
        /// one premises overbooked does not take beds from another).
        public var free: Int

        /// One premises-night.
        public init(usableBeds: Int, booked: Int) {
            self.usableBeds = usableBeds
            self.booked = booked
            self.free = max(0, usableBeds - booked)
        }

        /// More placements than usable beds.
        public var overbooked: Bool { booked > usableBeds }
        /// Usable beds, and none of them free.
        public var full: Bool { usableBeds > 0 && free == 0 && !overbooked }
    }

    /// One premises and its nights.
    public struct Row: Sendable, Equatable {
        public var premisesID: UUID
        public var code: String
        public var name: String
        public var regionCode: String
        public var nights: [Cell]
    }

    /// The scope in words ("North West", "England and Wales").
    public var scope: String
    public var nights: Nights
    /// The premises by region, then name.
    public var premises: [Row]
    /// The scope's beds and bookings each night.
    public var totals: [Cell]
}

extension ReportStore {
    /// Who reads the board: the national roles (the country, any region) and regional managers
    /// (their region); AP staff have their premises' bed board.
    public static let boardReaders: Set<Role> = [.administrator, .referralManager, .regionalManager]

    /// The most nights a board shows (twelve weeks).
    public static let boardMaximumNights = 84

    /// The occupancy board of a region or the country for `nights`: every active premises of
    /// the scope, counted in one capacity query (`Capacity.nights`) whatever their number.
    public func occupancyBoard(_ scope: ReportScope, nights: Nights, by principal: Principal) async throws -> OccupancyBoard {
        try principal.require(Self.boardReaders, to: "see the occupancy board")
        var v = Validation()
        v.require(
            nights.count >= 1 && nights.count <= Self.boardMaximumNights, field: "weeks", rule: "range",
            "the board shows from one night to \(Self.boardMaximumNights) nights")
        try v.check()
        return try await reading { connection in
            let name = try await scope.authorise(principal, on: connection)
            let premises = try await connection.query(
                """
                SELECT pr.id, pr.code, pr.name, pr.region_code FROM premises pr
                WHERE \(scope.condition) AND pr.active ORDER BY pr.region_code, pr.name, pr.code
                """)
            let ids: [UUID] = try premises.map { try $0.decode("id") }
            let counts = try await Capacity.nights(premisesIDs: ids, nights: nights, needs: [], excluding: nil, on: connection)
            let rows = try premises.map { row in
                let id: UUID = try row.decode("id")
                let nightly = (counts[id] ?? Capacity.empty(nights, needs: [])).map {
                    OccupancyBoard.Cell(usableBeds: $0.usableBeds, booked: $0.booked)
                }
                return OccupancyBoard.Row(
                    premisesID: id, code: try row.decode("code"), name: try row.decode("name"),
                    regionCode: try row.decode("region_code"), nights: nightly)
            }
            let totals = (0..<nights.count).map { night in
                rows.reduce(into: OccupancyBoard.Cell(usableBeds: 0, booked: 0)) { total, row in
                    total.usableBeds += row.nights[night].usableBeds
                    total.booked += row.nights[night].booked
                    total.free += row.nights[night].free
                }
            }
            return OccupancyBoard(scope: name, nights: nights, premises: rows, totals: totals)
        }
    }
}
