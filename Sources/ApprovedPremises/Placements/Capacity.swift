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

        /// A value with each field given.
        public init(night: CalendarDate, usableBeds: Int, booked: Int, byNeed: [String: (beds: Int, booked: Int)] = [:]) {
            self.night = night
            self.usableBeds = usableBeds
            self.booked = booked
            self.byNeed = byNeed
        }

        /// Nights are equal when every count is.
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

        /// A value with each field given.
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
    static func nights(premisesID: UUID, nights: Nights, needs: [String], excluding: UUID?, on connection: PostgresConnection) async throws
        -> [Night]
    {
        try await Self.nights(premisesIDs: [premisesID], nights: nights, needs: needs, excluding: excluding, on: connection)[premisesID]
            ?? Self.empty(nights, needs: needs)
    }

    /// The counts of each night of `nights` at each premises (all of them when `premisesIDs` is
    /// nil), in one query whatever the number of premises or nights: beds, out-of-service periods
    /// and bookings become the nights on which a count changes (a range's first night and the
    /// night after its last), which are summed in order. A premises with no bed and no booking in
    /// the range is left out of the answer (see `empty`).
    static func nights(
        premisesIDs: [UUID]?, nights: Nights, needs: [String], excluding: UUID?,
        on connection: PostgresConnection
    ) async throws -> [UUID: [Night]] {
        guard nights.count > 0 else { return [:] }
        let needs = Array(Set(needs)).sorted()
        let ids = premisesIDs.map { $0.map { $0.uuidString } }
        let rows = try await connection.query(
            """
            WITH need(code) AS (SELECT '' UNION ALL SELECT unnest(\(needs)::text[])),
            asked AS (SELECT daterange(\(nights.first)::date, \(nights.end)::date, '[)') AS nights),
            scope AS (SELECT pr.id FROM premises pr WHERE \(ids)::uuid[] IS NULL OR pr.id = ANY (\(ids)::uuid[])),
            bed_need AS (
                SELECT b.id, b.premises_id, n.code, b.in_use * a.nights AS nights
                FROM bed b JOIN scope s ON s.id = b.premises_id CROSS JOIN asked a CROSS JOIN need n
                WHERE b.in_use && a.nights
                  AND (n.code = '' OR EXISTS (SELECT 1 FROM room_feature f WHERE f.room_id = b.room_id AND f.characteristic_code = n.code))
            ),
            bed_out AS (
                -- the periods out of service in the range, found once and matched to the beds (not a probe a bed)
                SELECT bn.premises_id, bn.code, o.nights * bn.nights AS nights
                FROM bed_out_of_service o CROSS JOIN asked a JOIN bed_need bn ON bn.id = o.bed_id
                WHERE o.cancelled_at IS NULL AND o.nights && a.nights AND o.nights && bn.nights
            ),
            booking AS (
                SELECT p.premises_id, n.code, p.nights * a.nights AS nights
                FROM placement p JOIN scope s ON s.id = p.premises_id CROSS JOIN asked a
                     JOIN need n ON n.code = '' OR n.code = ANY (p.needs)
                WHERE p.nights && a.nights AND p.id IS DISTINCT FROM \(excluding)::uuid
            ),
            change AS (
                SELECT premises_id, code, lower(nights) AS night, 1 AS beds, 0 AS booked FROM bed_need
                UNION ALL SELECT premises_id, code, upper(nights), -1, 0 FROM bed_need
                UNION ALL SELECT premises_id, code, lower(nights), -1, 0 FROM bed_out
                UNION ALL SELECT premises_id, code, upper(nights), 1, 0 FROM bed_out
                UNION ALL SELECT premises_id, code, lower(nights), 0, 1 FROM booking
                UNION ALL SELECT premises_id, code, upper(nights), 0, -1 FROM booking
            ),
            by_night AS (
                SELECT premises_id, code, night, sum(beds) AS beds, sum(booked) AS booked FROM change GROUP BY premises_id, code, night
            )
            SELECT premises_id, code, night,
                   (sum(beds) OVER run)::integer AS beds, (sum(booked) OVER run)::integer AS booked
            FROM by_night
            WINDOW run AS (PARTITION BY premises_id, code ORDER BY night)
            ORDER BY premises_id, code, night
            """)
        // Each row starts a run of nights with the same counts; expand the runs night by night.
        var runs = [UUID: [String: [(night: CalendarDate, beds: Int, booked: Int)]]]()
        for row in rows {
            runs[try row.decode("premises_id"), default: [:]][try row.decode("code"), default: []]
                .append((try row.decode("night"), try row.decode("beds"), try row.decode("booked")))
        }
        func expand(_ runs: [(night: CalendarDate, beds: Int, booked: Int)]?) -> [(beds: Int, booked: Int)] {
            var counts = [(beds: Int, booked: Int)](repeating: (0, 0), count: nights.count)
            guard let runs else { return counts }
            for (index, run) in runs.enumerated() {
                let start = max(0, nights.first.days(to: run.night))
                let end = index + 1 < runs.count ? min(nights.count, nights.first.days(to: runs[index + 1].night)) : nights.count
                for position in start..<max(start, end) { counts[position] = (run.beds, run.booked) }
            }
            return counts
        }
        return runs.mapValues { byCode in
            let totals = expand(byCode[""])
            let byNeed = needs.map { ($0, expand(byCode[$0])) }
            return (0..<nights.count).map { position in
                Night(
                    night: nights.first.adding(days: position), usableBeds: totals[position].beds, booked: totals[position].booked,
                    byNeed: Dictionary(
                        uniqueKeysWithValues: byNeed.map { ($0.0, (beds: $0.1[position].beds, booked: $0.1[position].booked)) }))
            }
        }
    }

    /// The counts of a premises with no bed and no booking on any of `nights`.
    static func empty(_ nights: Nights, needs: [String]) -> [Night] {
        nights.all.map { night in
            Night(
                night: night, usableBeds: 0, booked: 0,
                byNeed: Dictionary(uniqueKeysWithValues: Set(needs).map { ($0, (beds: 0, booked: 0)) }))
        }
    }
}
