import Foundation
import Postgres

/// A small, fast, seeded random number generator (SplitMix64): the same seed gives the same data.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A UUID drawn from the generator (version 4 bits set), so ids are reproducible too.
    mutating func uuid() -> UUID {
        let (a, b) = (next(), next())
        var bytes = withUnsafeBytes(of: a.bigEndian) { Array($0) } + withUnsafeBytes(of: b.bigEndian) { Array($0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// Picks from weighted choices.
    mutating func pick<T>(_ choices: [(T, Double)]) -> T {
        let total = choices.map(\.1).reduce(0, +)
        var point = Double.random(in: 0..<total, using: &self)
        for (value, weight) in choices {
            if point < weight { return value }
            point -= weight
        }
        return choices[choices.count - 1].0
    }
}

/// National data at the scale England and Wales really have: about 104 premises with about
/// 2,300 beds across the 12 probation regions, and `years` of placements bed by bed (typical
/// 12-week stays, non-arrivals, early departures, recalls, a realistic move-on mix),
/// out-of-service periods and bed allocations, loaded with COPY. Reproducible: the same seed
/// and `until` give the same rows, ids included.
public struct NationalSeed: Sendable {
    public var years: Int
    public var seed: UInt64
    /// The day the history runs up to ("today" of the data); bookings run 12 weeks beyond.
    public var until: CalendarDate
    public var premisesCount = 104

    public init(years: Int, seed: UInt64, until: CalendarDate) {
        self.years = years
        self.seed = seed
        self.until = until
    }

    /// What was loaded.
    public struct Summary: Sendable, Equatable {
        public var premises = 0
        public var beds = 0
        public var placements = 0
        public var outOfService = 0
    }

    static let firstNames = ["Aaron", "Ben", "Callum", "Dean", "Eddie", "Frank", "Gary", "Harry", "Ian", "Jack", "Kieran", "Lee", "Mark",
                             "Nathan", "Owen", "Paul", "Rhys", "Sean", "Tom", "Wayne", "Adam", "Craig", "Darren", "Jamal", "Kofi", "Liam"]
    static let lastNames = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
                            "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan", "Hughes"]
    static let towns = ["Ashford", "Bridge", "Castle", "Dale", "Elm", "Fern", "Grange", "Heath", "Ivy", "Juniper", "Kings", "Lime", "Manor",
                        "North", "Oak", "Park", "Queens", "River", "Stone", "Tower", "Upton", "Vale", "West", "York"]

    /// Loads the data; `progress` hears each step. Refuses to load twice.
    public func load(pool: PostgresPool, progress: @Sendable (String) -> Void = { _ in }) async throws -> Summary {
        if try await pool.query("SELECT 1 AS found FROM premises WHERE code = 'NAT-001'").first != nil {
            throw DomainError(.conflict, "the national data is already loaded (premises NAT-001 exists); load it into a fresh database")
        }
        var random = SeededGenerator(seed: seed)
        let regions = try await pool.query("SELECT code FROM probation_region ORDER BY code").map { try $0.decode("code", as: String.self) }
        let outcodes = try await pool.query("SELECT outcode FROM postcode_district ORDER BY outcode").map { try $0.decode("outcode", as: String.self) }
        let outOfServiceReasons = try await pool.query("SELECT code FROM out_of_service_reason WHERE active ORDER BY code")
            .map { try $0.decode("code", as: String.self) }
        let nonArrivalReasons = try await pool.query("SELECT code FROM non_arrival_reason WHERE active ORDER BY code")
            .map { try $0.decode("code", as: String.self) }
        guard !regions.isEmpty, !outcodes.isEmpty, !outOfServiceReasons.isEmpty, !nonArrivalReasons.isEmpty else {
            throw DomainError(.conflict, "the reference data is missing: run ap db migrate first")
        }
        let start = until.adding(days: -365 * years)
        let horizon = until.adding(days: 84)
        var summary = Summary()

        // Premises, rooms and beds.
        var premisesRows = [[String?]]()
        var roomRows = [[String?]]()
        var bedRows = [[String?]]()
        var beds = [(id: UUID, premises: UUID)]()
        for index in 0..<premisesCount {
            let id = random.uuid()
            let region = regions[index % regions.count]
            let women = index % 17 == 5
            premisesRows.append([id.uuidString, String(format: "NAT-%03d", index + 1),
                                 "\(Self.towns[index % Self.towns.count]) House \(index / Self.towns.count + 1)", region, "NORMAL",
                                 women ? "women" : "men", outcodes[Int.random(in: 0..<outcodes.count, using: &random)]])
            let bedCount = Int.random(in: 14...30, using: &random)
            for number in 1...bedCount {
                let room = random.uuid()
                roomRows.append([room.uuidString, id.uuidString, "Room \(number)", number <= bedCount / 2 ? "Ground" : "First"])
                let bed = random.uuid()
                bedRows.append([bed.uuidString, room.uuidString, id.uuidString, "\(number)", "[\(start.adding(days: -30)),)"])
                beds.append((bed, id))
            }
        }
        try await pool.withConnection { connection in
            try await connection.copy(into: "premises", columns: ["id", "code", "name", "region_code", "ap_type_code", "gender", "postcode"], rows: premisesRows)
            try await connection.copy(into: "room", columns: ["id", "premises_id", "name", "floor"], rows: roomRows)
            try await connection.copy(into: "bed", columns: ["id", "room_id", "premises_id", "label", "in_use"], rows: bedRows)
        }
        summary.premises = premisesRows.count
        summary.beds = bedRows.count
        progress("premises \(summary.premises), beds \(summary.beds)")

        // Stays, bed by bed, back to back with short gaps; now and then a bed out of service.
        let recallReasons = ["A", "D", "F", "E", "PAT", "C"]
        let settledMix: [(String, Double)] = [("MC04", 28), ("MC02", 14), ("MC07", 14), ("MC06", 10), ("MC08", 2), ("CAS3", 12), ("MC05", 6),
                                              ("CAS2", 2), ("MC14", 8), ("P", 2), ("MC10", 2)]
        var placementRows = [[String?]]()
        var allocationRows = [[String?]]()
        var outageRows = [[String?]]()
        var personNumber = 100_000
        func noon(_ day: CalendarDate, hour: Int) -> String {
            let parts = day.parts
            return String(format: "%04d-%02d-%02d %02d:%02d:00+00", parts.year, parts.month, parts.day, hour, Int.random(in: 0..<60, using: &random))
        }
        for (bedIndex, bed) in beds.enumerated() {
            var day = start.adding(days: Int.random(in: 0..<30, using: &random))
            while day < horizon {
                if Double.random(in: 0..<1, using: &random) < 0.04 {
                    let length = Int.random(in: 3...14, using: &random)
                    outageRows.append([random.uuid().uuidString, bed.id.uuidString, "[\(day),\(day.adding(days: length)))",
                                       outOfServiceReasons[Int.random(in: 0..<outOfServiceReasons.count, using: &random)]])
                    day = day.adding(days: length)
                    continue
                }
                personNumber += 1
                let id = random.uuid()
                let crn = "\(Character(UnicodeScalar(UInt8(65 + personNumber % 26))))\(String(format: "%06d", personNumber % 1_000_000))"
                let name = "\(Self.firstNames[Int.random(in: 0..<Self.firstNames.count, using: &random)]) \(Self.lastNames[Int.random(in: 0..<Self.lastNames.count, using: &random)])"
                let expectedLength = Int.random(in: 70...98, using: &random)
                let expectedDeparture = day.adding(days: expectedLength)
                var row: [String: String] = ["id": id.uuidString, "premises_id": bed.premises.uuidString, "crn": crn, "person_name": name,
                                             "expected_arrival": day.description, "expected_departure": expectedDeparture.description]
                var occupied: Nights? = Nights(first: day, end: expectedDeparture)
                if day >= until {
                    // Booked, not yet here.
                } else if Double.random(in: 0..<1, using: &random) < 0.08 {
                    row["non_arrived_at"] = noon(day, hour: 20)
                    row["non_arrival_reason_code"] = nonArrivalReasons[Int.random(in: 0..<nonArrivalReasons.count, using: &random)]
                    occupied = nil
                } else {
                    row["arrived_at"] = noon(day, hour: Int.random(in: 10...18, using: &random))
                    row["arrival_date"] = day.description
                    let roll = Double.random(in: 0..<1, using: &random)
                    var length: Int
                    var reason: String
                    var category: String?
                    if roll < 0.10 {
                        reason = recallReasons[Int.random(in: 0..<recallReasons.count, using: &random)]
                        length = Double.random(in: 0..<1, using: &random) < 0.35 ? Int.random(in: 3...28, using: &random)
                            : Int.random(in: 29...max(29, expectedLength - 1), using: &random)
                        category = "MC19"
                    } else if roll < 0.17 {
                        reason = random.pick([("Q", 3.0), ("H", 4.0), ("X", 1.0), ("P", 0.3)])
                        length = Int.random(in: 7...max(7, expectedLength - 1), using: &random)
                        category = reason == "H" ? "MC19" : (reason == "X" ? "MC14" : nil)
                    } else {
                        reason = "O"
                        length = expectedLength - Int.random(in: 0...7, using: &random)
                        category = random.pick(settledMix)
                    }
                    let departure = day.adding(days: length)
                    if departure < until {
                        row["departed_at"] = noon(departure, hour: 10)
                        row["departure_date"] = departure.description
                        row["departure_reason_code"] = reason
                        row["move_on_category_code"] = category
                        if category == "P" { row["transferred_to"] = "another AP" }
                        occupied = Nights(first: day, end: departure)
                    } else if expectedDeparture <= until {
                        // Still here past the expected date: a later expected departure was agreed.
                        let later = until.adding(days: Int.random(in: 1...28, using: &random))
                        row["expected_departure"] = later.description
                        occupied = Nights(first: day, end: later)
                    }
                }
                placementRows.append(["id", "premises_id", "crn", "person_name", "expected_arrival", "expected_departure", "arrived_at", "arrival_date",
                                      "non_arrived_at", "non_arrival_reason_code", "departed_at", "departure_date", "departure_reason_code",
                                      "move_on_category_code", "transferred_to"].map { row[$0] })
                if let occupied, occupied.count > 0 {
                    allocationRows.append([random.uuid().uuidString, id.uuidString, bed.id.uuidString, "[\(occupied.first),\(occupied.end))"])
                    day = occupied.end.adding(days: Int.random(in: 0...5, using: &random))
                } else {
                    day = day.adding(days: Int.random(in: 1...4, using: &random))
                }
            }
            if bedIndex % 200 == 199 { progress("stays generated for \(bedIndex + 1) of \(beds.count) beds") }
        }
        let placementColumns = ["id", "premises_id", "crn", "person_name", "expected_arrival", "expected_departure", "arrived_at", "arrival_date",
                                "non_arrived_at", "non_arrival_reason_code", "departed_at", "departure_date", "departure_reason_code",
                                "move_on_category_code", "transferred_to"]
        let batch = 10_000
        try await pool.withConnection { connection in
            try await connection.copy(into: "bed_out_of_service", columns: ["id", "bed_id", "nights", "reason_code"], rows: outageRows)
            for first in stride(from: 0, to: placementRows.count, by: batch) {
                let slice = Array(placementRows[first..<min(first + batch, placementRows.count)])
                try await connection.copy(into: "placement", columns: placementColumns, rows: slice)
                progress("placements \(min(first + batch, placementRows.count)) of \(placementRows.count)")
            }
            for first in stride(from: 0, to: allocationRows.count, by: batch) {
                let slice = Array(allocationRows[first..<min(first + batch, allocationRows.count)])
                try await connection.copy(into: "bed_allocation", columns: ["id", "placement_id", "bed_id", "nights"], rows: slice)
                progress("bed allocations \(min(first + batch, allocationRows.count)) of \(allocationRows.count)")
            }
            try await connection.execute("ANALYZE premises, bed, bed_out_of_service, placement, bed_allocation")
        }
        summary.placements = placementRows.count
        summary.outOfService = outageRows.count
        return summary
    }
}
