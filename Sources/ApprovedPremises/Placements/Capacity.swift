import Foundation
import Postgres

/// Whether a premises has room for one more placement on each night: pure arithmetic over
/// counts, and the query that gathers them.
public enum Capacity {
    /// The counts of one night.
    public struct Night: Sendable, Equatable {
        public var night: CalendarDate
        /// Beds in use and in service that night.
        public var usableBeds: Int
        /// Placements occupying that night (the one being checked left out).
        public var booked: Int
        /// For each room characteristic the new placement needs: beds that have it, placements needing it.
        public var byNeed: [String: (beds: Int, booked: Int)]

        public init(night: CalendarDate, usableBeds: Int, booked: Int, byNeed: [String: (beds: Int, booked: Int)] = [:]) {
            self.night = night
            self.usableBeds = usableBeds
            self.booked = booked
            self.byNeed = byNeed
        }

        public static func == (lhs: Night, rhs: Night) -> Bool {
            lhs.night == rhs.night && lhs.usableBeds == rhs.usableBeds && lhs.booked == rhs.booked
                && lhs.byNeed.mapValues { [$0.beds, $0.booked] } == rhs.byNeed.mapValues { [$0.beds, $0.booked] }
        }
    }

    /// A night one more placement would not fit, and why.
    public struct Shortfall: Sendable, Equatable {
        public var night: CalendarDate
        /// Nil when the premises is full; the characteristic when its beds are all taken.
        public var need: String?

        public init(night: CalendarDate, need: String?) {
            self.night = night
            self.need = need
        }
    }

    /// The nights on which one more placement with `needs` would leave more placements than
    /// usable beds, or more placements needing a characteristic than beds that have it.
    public static func shortfalls(adding needs: [String], to nights: [Night]) -> [Shortfall] {
        var shortfalls = [Shortfall]()
        for night in nights {
            if night.booked + 1 > night.usableBeds {
                shortfalls.append(Shortfall(night: night.night, need: nil))
                continue
            }
            for need in needs.sorted() {
                let counts = night.byNeed[need] ?? (0, 0)
                if counts.booked + 1 > counts.beds {
                    shortfalls.append(Shortfall(night: night.night, need: need))
                    break
                }
            }
        }
        return shortfalls
    }

    /// A sentence naming the full nights, folding runs of nights into ranges.
    public static func describe(_ shortfalls: [Shortfall], premises: String) -> String {
        var runs = [(first: CalendarDate, last: CalendarDate, need: String?)]()
        for shortfall in shortfalls {
            if let last = runs.last, last.last.adding(days: 1) == shortfall.night, last.need == shortfall.need {
                runs[runs.count - 1].last = shortfall.night
            } else {
                runs.append((shortfall.night, shortfall.night, shortfall.need))
            }
        }
        let parts = runs.map { run -> String in
            let dates = run.first == run.last ? "\(run.first)" : "\(run.first) to \(run.last)"
            return run.need.map { "\(dates) (no free bed with \($0))" } ?? "\(dates) (every bed taken)"
        }
        return "\(premises) is full on the night\(shortfalls.count == 1 ? "" : "s") of " + parts.joined(separator: ", ")
    }

    /// The counts of each night of `nights` at a premises, leaving `excluding` out of the bookings.
    static func nights(premisesID: UUID, nights: Nights, needs: [String], excluding: UUID?, on connection: PostgresConnection) async throws -> [Night] {
        guard nights.count > 0 else { return [] }
        let totals = try await connection.query("""
            WITH night AS (
                SELECT d::date AS night FROM generate_series(\(nights.first)::date, \(nights.end)::date - 1, interval '1 day') AS d
            )
            SELECT n.night,
                (SELECT count(*) FROM bed b
                 WHERE b.premises_id = \(premisesID) AND b.in_use @> n.night
                   AND NOT EXISTS (SELECT 1 FROM bed_out_of_service o
                                   WHERE o.bed_id = b.id AND o.cancelled_at IS NULL AND o.nights @> n.night))::integer AS beds,
                (SELECT count(*) FROM placement p
                 WHERE p.premises_id = \(premisesID) AND p.nights @> n.night
                   AND p.id IS DISTINCT FROM \(excluding)::uuid)::integer AS booked
            FROM night n ORDER BY n.night
            """)
        var result = try totals.map {
            Night(night: try $0.decode("night"), usableBeds: try $0.decode("beds"), booked: try $0.decode("booked"))
        }
        guard !needs.isEmpty else { return result }
        let byNeed = try await connection.query("""
            WITH night AS (
                SELECT d::date AS night FROM generate_series(\(nights.first)::date, \(nights.end)::date - 1, interval '1 day') AS d
            )
            SELECT n.night, c.code,
                (SELECT count(*) FROM bed b JOIN room_feature f ON f.room_id = b.room_id AND f.characteristic_code = c.code
                 WHERE b.premises_id = \(premisesID) AND b.in_use @> n.night
                   AND NOT EXISTS (SELECT 1 FROM bed_out_of_service o
                                   WHERE o.bed_id = b.id AND o.cancelled_at IS NULL AND o.nights @> n.night))::integer AS beds,
                (SELECT count(*) FROM placement p
                 WHERE p.premises_id = \(premisesID) AND p.nights @> n.night AND c.code = ANY (p.needs)
                   AND p.id IS DISTINCT FROM \(excluding)::uuid)::integer AS booked
            FROM night n CROSS JOIN unnest(\(needs)::text[]) AS c(code)
            """)
        var index = [CalendarDate: Int]()
        for (position, night) in result.enumerated() { index[night.night] = position }
        for row in byNeed {
            let night: CalendarDate = try row.decode("night")
            if let position = index[night] {
                result[position].byNeed[try row.decode("code")] = (try row.decode("beds"), try row.decode("booked"))
            }
        }
        return result
    }
}
