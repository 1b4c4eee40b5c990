import ApprovedPremises
import Foundation
import Postgres

/// The same figures as the reports, from hand-written plain SQL: night by night, the way one
/// would first write it. The benchmark times the reports against these and checks they agree.
public struct ReportBaseline: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Per period, each figure as `name=value`, sorted: usable, occupied, vacant, overbooked and
    /// overbooked for needs (occupancy); or departures, recalls, stays and every breakdown (move-on).
    public func figures(
        scope: ReportScope, from: CalendarDate, to: CalendarDate, period: ReportPeriod,
        moveOn: Bool
    ) async throws -> [[String]] {
        let periods = period.series(from: from, to: to)
        if moveOn {
            // One plain query per figure, grouped by period, then put side by side.
            let departures = try await pool.query(
                """
                SELECT greatest(date_trunc(\(period.field), p.departure_date)::date, \(from)::date) AS first, count(*) AS departures,
                       count(*) FILTER (WHERE r.code = 'BR' OR r.parent_code = 'BR') AS recalls,
                       count(*) FILTER (WHERE (r.code = 'BR' OR r.parent_code = 'BR') AND p.departure_date - CASE WHEN p.transferred_from IS NULL THEN p.arrival_date ELSE stay_chain_arrival(p.id) END <= 28) AS recalls_28,
                       count(*) FILTER (WHERE p.departure_date < p.expected_departure) AS left_early,
                       round(avg(p.departure_date - CASE WHEN p.transferred_from IS NULL THEN p.arrival_date ELSE stay_chain_arrival(p.id) END), 2)::text AS average,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY p.departure_date - CASE WHEN p.transferred_from IS NULL THEN p.arrival_date ELSE stay_chain_arrival(p.id) END)::text AS median
                FROM placement p JOIN premises pr ON pr.id = p.premises_id JOIN departure_reason r ON r.code = p.departure_reason_code
                WHERE \(scope.condition) AND p.departed_at IS NOT NULL AND p.departure_reason_code NOT IN ('PT', 'ET') AND p.departure_date >= \(from)::date AND p.departure_date < \(to)::date
                GROUP BY 1
                """)
            let breakdowns = try await pool.query(
                """
                SELECT greatest(date_trunc(\(period.field), p.departure_date)::date, \(from)::date) AS first,
                       'reason:' || CASE WHEN r.parent_code IS NULL THEN r.name ELSE parent.name || ': ' || r.name END AS key, count(*) AS n
                FROM placement p JOIN premises pr ON pr.id = p.premises_id JOIN departure_reason r ON r.code = p.departure_reason_code
                LEFT JOIN departure_reason parent ON parent.code = r.parent_code
                WHERE \(scope.condition) AND p.departed_at IS NOT NULL AND p.departure_reason_code NOT IN ('PT', 'ET') AND p.departure_date >= \(from)::date AND p.departure_date < \(to)::date
                GROUP BY 1, 2
                UNION ALL
                SELECT greatest(date_trunc(\(period.field), p.departure_date)::date, \(from)::date), 'outcome:' || coalesce(m.accommodation_outcome, 'unknown'), count(*)
                FROM placement p JOIN premises pr ON pr.id = p.premises_id LEFT JOIN move_on_category m ON m.code = p.move_on_category_code
                WHERE \(scope.condition) AND p.departed_at IS NOT NULL AND p.departure_reason_code NOT IN ('PT', 'ET') AND p.departure_date >= \(from)::date AND p.departure_date < \(to)::date
                GROUP BY 1, 2
                UNION ALL
                SELECT greatest(date_trunc(\(period.field), p.departure_date)::date, \(from)::date), 'category:' || m.name, count(*)
                FROM placement p JOIN premises pr ON pr.id = p.premises_id JOIN move_on_category m ON m.code = p.move_on_category_code
                WHERE \(scope.condition) AND p.departed_at IS NOT NULL AND p.departure_reason_code NOT IN ('PT', 'ET') AND p.departure_date >= \(from)::date AND p.departure_date < \(to)::date
                GROUP BY 1, 2
                UNION ALL
                SELECT greatest(date_trunc(\(period.field), p.expected_arrival)::date, \(from)::date), 'non-arrival:' || r.name, count(*)
                FROM placement p JOIN premises pr ON pr.id = p.premises_id JOIN non_arrival_reason r ON r.code = p.non_arrival_reason_code
                WHERE \(scope.condition) AND p.non_arrived_at IS NOT NULL AND p.expected_arrival >= \(from)::date AND p.expected_arrival < \(to)::date
                GROUP BY 1, 2
                """)
            var lines = [CalendarDate: [String]]()
            for row in departures {
                lines[try row.decode("first"), default: []] +=
                    try ["departures", "recalls", "recalls_28", "left_early"].map {
                        "\($0)=\(try row.decode($0, as: Int64.self))"
                    } + [
                        "average=\(try row.decode("average", as: String.self))",
                        "median=\(Double(try row.decode("median", as: String.self)) ?? -1)",
                    ]
            }
            for row in breakdowns {
                lines[try row.decode("first"), default: []].append(
                    "\(try row.decode("key", as: String.self))=\(try row.decode("n", as: Int64.self))")
            }
            let starts = try await pool.query("\(periods) ORDER BY 1").map { try $0.decode("first", as: CalendarDate.self) }
            return starts.map { (lines[$0] ?? []).sorted() }
        }
        return try await pool.query(
            """
            WITH nights AS (SELECT d::date AS night FROM generate_series(\(from)::date, \(to)::date - 1, interval '1 day') AS d),
            premises_nights AS (SELECT pr.id AS premises_id, n.night FROM premises pr CROSS JOIN nights n WHERE \(scope.condition)),
            usable AS (
                SELECT b.premises_id, n.night, count(*) AS beds
                FROM bed b JOIN premises pr ON pr.id = b.premises_id JOIN nights n ON b.in_use @> n.night
                WHERE \(scope.condition)
                  AND NOT EXISTS (SELECT 1 FROM bed_out_of_service o WHERE o.bed_id = b.id AND o.cancelled_at IS NULL AND o.nights @> n.night)
                GROUP BY 1, 2
            ),
            occupied AS (
                SELECT p.premises_id, n.night, count(*) AS people
                FROM placement p JOIN premises pr ON pr.id = p.premises_id JOIN nights n ON p.nights @> n.night
                WHERE \(scope.condition)
                GROUP BY 1, 2
            ),
            need_usable AS (
                SELECT b.premises_id, n.night, f.characteristic_code AS need, count(*) AS beds
                FROM bed b JOIN premises pr ON pr.id = b.premises_id JOIN room_feature f ON f.room_id = b.room_id JOIN nights n ON b.in_use @> n.night
                WHERE \(scope.condition)
                  AND NOT EXISTS (SELECT 1 FROM bed_out_of_service o WHERE o.bed_id = b.id AND o.cancelled_at IS NULL AND o.nights @> n.night)
                GROUP BY 1, 2, 3
            ),
            need_occupied AS (
                SELECT p.premises_id, n.night, x.need, count(*) AS people
                FROM placement p JOIN premises pr ON pr.id = p.premises_id CROSS JOIN LATERAL unnest(p.needs) AS x(need)
                JOIN nights n ON p.nights @> n.night
                WHERE \(scope.condition)
                GROUP BY 1, 2, 3
            ),
            short_needs AS (
                SELECT DISTINCT o.premises_id, o.night FROM need_occupied o LEFT JOIN need_usable u USING (premises_id, night, need)
                WHERE o.people > coalesce(u.beds, 0)
            )
            SELECT greatest(date_trunc(\(period.field), pn.night)::date, \(from)::date) AS first,
                   sum(coalesce(u.beds, 0)) AS a, sum(coalesce(o.people, 0)) AS b,
                   sum(greatest(coalesce(u.beds, 0) - coalesce(o.people, 0), 0)) AS c,
                   count(*) FILTER (WHERE coalesce(o.people, 0) > coalesce(u.beds, 0) OR s.night IS NOT NULL) AS d,
                   count(*) FILTER (WHERE s.night IS NOT NULL) AS e
            FROM premises_nights pn
            LEFT JOIN usable u ON u.premises_id = pn.premises_id AND u.night = pn.night
            LEFT JOIN occupied o ON o.premises_id = pn.premises_id AND o.night = pn.night
            LEFT JOIN short_needs s ON s.premises_id = pn.premises_id AND s.night = pn.night
            GROUP BY 1 ORDER BY 1
            """
        ).map { row in
            try [("usable", "a"), ("occupied", "b"), ("vacant", "c"), ("overbooked", "d"), ("overbooked_for_needs", "e")].map {
                "\($0)=\(try row.decode($1, as: Int64.self))"
            }.sorted()
        }
    }

    /// The report's figures in the same form.
    public func figures(_ report: OccupancyReport) -> [[String]] {
        report.rows.map {
            [
                "usable=\($0.usableBedNights)", "occupied=\($0.occupiedBedNights)", "vacant=\($0.vacantBedNights)",
                "overbooked=\($0.overbookedNights)",
                "overbooked_for_needs=\($0.overbookedForNeedsNights)",
            ].sorted()
        }
    }

    /// The move-on report's figures in the same form.
    public func figures(_ report: MoveOnReport) -> [[String]] {
        report.rows.map { row in
            var lines = [String]()
            if row.departures > 0 {
                lines += [
                    "departures=\(row.departures)", "recalls=\(row.recalls)", "recalls_28=\(row.recallsWithin28Days)",
                    "left_early=\(row.leftEarly)",
                    "average=\(String(format: "%.2f", row.averageStayDays ?? 0))", "median=\(row.medianStayDays ?? -1)",
                ]
            }
            lines +=
                row.byReason.map { "reason:\($0.key)=\($0.value)" } + row.byOutcome.map { "outcome:\($0.key)=\($0.value)" }
                + row.byMoveOnCategory.map { "category:\($0.key)=\($0.value)" }
                + row.nonArrivalsByReason.map { "non-arrival:\($0.key)=\($0.value)" }
            return lines.sorted()
        }
    }
}
