import Foundation
import Postgres

/// Which bed is free on which night at a premises, and who is coming and going today.
public struct BedBoard: Sendable, Codable, Equatable {
    /// A bed's state on one night.
    public enum State: String, Sendable, Codable {
        case free, allocated
        case outOfService = "out_of_service"
        case notInUse = "not_in_use"
    }

    /// One bed on one night.
    public struct Cell: Sendable, Codable, Equatable {
        public var state: State
        public var placementID: UUID?
        public var personName: String?
        public var crn: String?
        /// The out-of-service reason code.
        public var reason: String?
    }

    /// One bed across the nights.
    public struct Row: Sendable, Codable, Equatable {
        public var bedID: UUID
        public var label: String
        public var room: String
        public var characteristics: [String]
        public var nights: [Cell]
    }

    /// The counts of one night.
    public struct NightSummary: Sendable, Codable, Equatable {
        public var night: CalendarDate
        /// Beds in use and in service.
        public var usableBeds: Int
        public var outOfServiceBeds: Int
        /// Placements occupying the night.
        public var booked: Int
        public var allocated: Int
        /// Placements occupying the night with no bed yet.
        public var unallocated: Int
        public var freeBeds: Int
        /// More placements than usable beds, or than usable beds with a characteristic some of them need.
        public var overbooked: Bool
        /// The room characteristics more placements need that night than usable beds have.
        public var overbookedNeeds: [String]
    }

    /// A placement as the board lists it.
    public struct Person: Sendable, Codable, Equatable {
        public var placementID: UUID
        public var personName: String
        public var crn: String
        public var bedLabel: String?
        public var date: CalendarDate
    }

    public var premisesID: UUID
    public var nights: [CalendarDate]
    public var beds: [Row]
    public var summary: [NightSummary]
    /// Today at the premises.
    public var today: CalendarDate
    public var arrivingToday: [Person]
    public var departingToday: [Person]
    /// Who lives here now.
    public var residents: [Person]

    /// The most nights one board shows.
    public static let maximumNights = 92
}

/// Builds bed boards from what is stored.
public struct BedBoardStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The board of a premises for `nights`, as of `now`.
    public func board(premisesID: UUID, nights: Nights, by principal: Principal, now: Date = Date()) async throws -> BedBoard {
        guard nights.count > 0, nights.count <= BedBoard.maximumNights else {
            throw DomainError.invalid(
                field: "to", rule: "span", "a board shows 1 to \(BedBoard.maximumNights) nights: to must be after from, and within that")
        }
        return try await pool.withConnection { connection in
            let premises = try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see the bed board", premisesID: premisesID, on: connection)
            let today = CalendarDate.today(in: premises.timeZone, now: now)
            let range: SQL = "daterange(\(nights.first)::date, \(nights.end)::date, '[)')"
            let beds = try await connection.query(
                """
                SELECT b.id, b.label, r.name AS room, lower(b.in_use) AS first, upper(b.in_use) AS until,
                       coalesce((SELECT string_agg(f.characteristic_code, ',' ORDER BY f.characteristic_code) FROM room_feature f WHERE f.room_id = r.id), '') AS features
                FROM bed b JOIN room r ON r.id = b.room_id
                WHERE b.premises_id = \(premisesID) AND b.in_use && \(range)
                ORDER BY r.name, b.label
                """)
            let allocations = try await connection.query(
                """
                SELECT a.bed_id, lower(a.nights) AS first, upper(a.nights) AS end, p.id AS placement_id, p.person_name, p.crn
                FROM bed_allocation a JOIN placement p ON p.id = a.placement_id
                WHERE p.premises_id = \(premisesID) AND a.released_at IS NULL
                  AND a.nights && daterange(\(nights.first.adding(days: -1))::date, \(nights.end)::date, '[)')
                """)
            let outages = try await connection.query(
                """
                SELECT o.bed_id, lower(o.nights) AS first, upper(o.nights) AS end, o.reason_code
                FROM bed_out_of_service o JOIN bed b ON b.id = o.bed_id
                WHERE b.premises_id = \(premisesID) AND o.cancelled_at IS NULL AND o.nights && \(range)
                """)
            let placements = try await connection.query(
                """
                SELECT \(Placement.columns) FROM placement p
                WHERE p.premises_id = \(premisesID)
                  AND (p.nights && \(range) OR p.resident_nights @> \(today)::date
                       OR (p.expected_arrival = \(today)::date AND p.arrived_at IS NULL)
                       OR (p.expected_departure = \(today)::date))
                """
            ).map(Placement.init(row:))

            let dates = nights.all
            var rows = [BedBoard.Row]()
            var bedOfPlacementOnNight = [UUID: [CalendarDate: String]]()
            for bed in beds {
                let bedID: UUID = try bed.decode("id")
                let inUse = Nights(
                    first: try bed.decode("first"),
                    end: try bed.decode("until", as: CalendarDate?.self) ?? CalendarDate(daysSinceEpoch: Int.max / 2))
                let label: String = try bed.decode("label")
                var cells = dates.map { inUse.contains($0) ? BedBoard.Cell(state: .free) : BedBoard.Cell(state: .notInUse) }
                for outage in outages where try outage.decode("bed_id", as: UUID.self) == bedID {
                    let span = Nights(first: try outage.decode("first"), end: try outage.decode("end"))
                    for (index, night) in dates.enumerated() where span.contains(night) && cells[index].state != .notInUse {
                        cells[index] = BedBoard.Cell(state: .outOfService, reason: try outage.decode("reason_code"))
                    }
                }
                for allocation in allocations where try allocation.decode("bed_id", as: UUID.self) == bedID {
                    let span = Nights(first: try allocation.decode("first"), end: try allocation.decode("end"))
                    let placementID: UUID = try allocation.decode("placement_id")
                    for (index, night) in dates.enumerated() where span.contains(night) {
                        cells[index] = BedBoard.Cell(
                            state: .allocated, placementID: placementID,
                            personName: try allocation.decode("person_name"), crn: try allocation.decode("crn"))
                    }
                    for night in span.all { bedOfPlacementOnNight[placementID, default: [:]][night] = label }
                }
                rows.append(
                    BedBoard.Row(
                        bedID: bedID, label: label, room: try bed.decode("room"),
                        characteristics: (try bed.decode("features", as: String.self)).split(separator: ",").map(String.init),
                        nights: cells))
            }

            let summary = dates.enumerated().map { index, night -> BedBoard.NightSummary in
                let cells = rows.map { $0.nights[index] }
                let usable = cells.filter { $0.state == .free || $0.state == .allocated }.count
                let staying = placements.filter { $0.nights?.contains(night) ?? false }
                let booked = staying.count
                let allocated = cells.filter { $0.state == .allocated }.count
                // A need is short when more stays that night need it than usable beds have it.
                let usableRows = rows.filter { [.free, .allocated].contains($0.nights[index].state) }
                let shortNeeds = Set(staying.flatMap(\.needs)).filter { need in
                    staying.filter { $0.needs.contains(need) }.count > usableRows.filter { $0.characteristics.contains(need) }.count
                }.sorted()
                return BedBoard.NightSummary(
                    night: night, usableBeds: usable, outOfServiceBeds: cells.filter { $0.state == .outOfService }.count,
                    booked: booked, allocated: allocated, unallocated: max(0, booked - allocated),
                    freeBeds: max(0, usable - booked), overbooked: booked > usable || !shortNeeds.isEmpty, overbookedNeeds: shortNeeds)
            }
            func person(_ placement: Placement, on date: CalendarDate) -> BedBoard.Person {
                // On a departure day the bed is the one slept in the night before (which is why
                // allocations ending the day the board starts are fetched too).
                let beds = bedOfPlacementOnNight[placement.id]
                return BedBoard.Person(
                    placementID: placement.id, personName: placement.personName, crn: placement.crn,
                    bedLabel: beds?[date] ?? beds?[date.adding(days: -1)], date: date)
            }
            let arriving = placements.filter { $0.status == .upcoming && $0.expectedArrival == today }
                .map { person($0, on: today) }.sorted { $0.personName < $1.personName }
            let departing = placements.filter { $0.status == .arrived && $0.expectedDeparture == today }
                .map { person($0, on: today) }.sorted { $0.personName < $1.personName }
            let residents = placements.filter { $0.status == .arrived }
                .map { person($0, on: today) }.sorted { $0.personName < $1.personName }
            return BedBoard(
                premisesID: premisesID, nights: dates, beds: rows, summary: summary, today: today,
                arrivingToday: arriving, departingToday: departing, residents: residents)
        }
    }
}
