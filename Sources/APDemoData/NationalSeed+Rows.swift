import ApprovedPremises
import Foundation

// The seed's random source and the pieces its rows are made of.

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
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
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

extension NationalSeed {
    static let placementColumns = [
        "id", "premises_id", "crn", "person_name", "expected_arrival", "expected_departure", "arrived_at", "arrival_date",
        "non_arrived_at", "non_arrival_reason_code", "departed_at", "departure_date", "departure_reason_code",
        "move_on_category_code", "transferred_to", "referral_id", "key_worker_id",
    ]

    /// An instant as COPY reads it.
    static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = CalendarDate(daysSinceEpoch: Int((Double(seconds) / 86_400).rounded(.down))).parts
        let inDay = seconds - Int((Double(seconds) / 86_400).rounded(.down)) * 86_400
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d+00", day.year, day.month, day.day, inDay / 3600, inDay % 3600 / 60, inDay % 60)
    }

    /// Seconds since 1970 of an instant written by `timestamp` (or as `noon` writes one).
    static func seconds(_ timestamp: String) -> Int64 {
        let date = CalendarDate(String(timestamp.prefix(10)))!
        let clock = timestamp.dropFirst(11).prefix(8).split(separator: ":").map { Int64($0)! }
        return Int64(date.daysSinceEpoch) * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
    }

    static let firstNames = [
        "Aaron", "Ben", "Callum", "Dean", "Eddie", "Frank", "Gary", "Harry", "Ian", "Jack", "Kieran", "Lee", "Mark",
        "Nathan", "Owen", "Paul", "Rhys", "Sean", "Tom", "Wayne", "Adam", "Craig", "Darren", "Jamal", "Kofi", "Liam",
    ]
    static let lastNames = [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Robinson", "Wright",
        "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Khan", "Hughes",
    ]
    static let towns = [
        "Ashford", "Bridge", "Castle", "Dale", "Elm", "Fern", "Grange", "Heath", "Ivy", "Juniper", "Kings", "Lime", "Manor",
        "North", "Oak", "Park", "Queens", "River", "Stone", "Tower", "Upton", "Vale", "West", "York",
    ]
}
