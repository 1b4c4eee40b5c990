import Foundation
import Postgres

/// Where people went when they left, period by period (by departure date): departures by
/// reason and move-on category, the share to settled, unsettled, homeless and custody
/// (`accommodation_outcome` of move_on_categories.csv; `unknown` when no category was recorded),
/// lengths of stay, early leavers, recalls, and non-arrivals (by expected arrival date).
///
/// A stay ended by a transfer to another AP is not a move-on outcome: the person's last stay's
/// departure is, and its length of stay runs from the first arrival of the chain. Transfers
/// are counted apart, out of and into the premises in scope, planned and emergency.
public struct MoveOnReport: Sendable, Equatable, Codable {
    /// One period's departures and outcomes.
    public struct Row: Sendable, Equatable, Codable {
        public var from: CalendarDate
        public var to: CalendarDate
        public var departures: Int
        /// By departure reason name; breach and recall sub-reasons as "Breach / recall: Curfew".
        public var byReason: [String: Int]
        public var byMoveOnCategory: [String: Int]
        /// settled, unsettled, homeless, custody, other, unknown.
        public var byOutcome: [String: Int]
        /// The share of departures to settled accommodation (nil without departures).
        public var settledShare: Double?
        public var averageStayDays: Double?
        public var medianStayDays: Double?
        /// Left before their expected departure date.
        public var leftEarly: Int
        public var leftEarlyShare: Double?
        /// Departures for a breach or recall (reason BR or one of its sub-reasons).
        public var recalls: Int
        public var recallsWithin28Days: Int
        public var recallsWithin28DaysShare: Double?
        public var nonArrivals: Int
        public var nonArrivalsByReason: [String: Int]
        /// Residents moved out of the premises in scope to another AP, by kind (planned, emergency).
        public var transfersOut: [String: Int] = [:]
        /// Residents moved into the premises in scope from another AP, by kind.
        public var transfersIn: [String: Int] = [:]
    }

    public var scope: String
    public var from: CalendarDate
    public var to: CalendarDate
    public var period: ReportPeriod
    public var rows: [Row]
}

extension ReportStore {
    /// The move-on outcomes report of a scope for departures from `from` up to `to`.
    public func moveOn(_ scope: ReportScope, from: CalendarDate, to: CalendarDate, period: ReportPeriod, by principal: Principal)
        async throws -> MoveOnReport
    {
        try Self.validate(from: from, to: to)
        return try await reading { connection in
            let name = try await scope.authorise(principal, on: connection)
            let rows = try await connection.query(
                """
                WITH periods AS (\(period.series(from: from, to: to))),
                left_ AS (
                    SELECT greatest(date_trunc(\(period.field), p.departure_date)::date, \(from)::date) AS first,
                           p.departure_date, p.expected_departure,
                           p.departure_date - CASE WHEN p.transferred_from IS NULL THEN p.arrival_date ELSE stay_chain_arrival(p.id) END AS stay,
                           CASE p.departure_reason_code WHEN 'PT' THEN 'planned' WHEN 'ET' THEN 'emergency' END AS transfer,
                           CASE WHEN r.parent_code IS NULL THEN r.name ELSE parent.name || ': ' || r.name END AS reason,
                           coalesce(r.parent_code, r.code) = 'BR' AS recall,
                           m.name AS category, coalesce(m.accommodation_outcome, 'unknown') AS outcome
                    FROM placement p JOIN premises pr ON pr.id = p.premises_id
                    JOIN departure_reason r ON r.code = p.departure_reason_code
                    LEFT JOIN departure_reason parent ON parent.code = r.parent_code
                    LEFT JOIN move_on_category m ON m.code = p.move_on_category_code
                    WHERE \(scope.condition) AND p.departed_at IS NOT NULL
                      AND p.departure_date >= \(from)::date AND p.departure_date < \(to)::date
                ),
                transfers_out AS (
                    SELECT first, jsonb_object_agg(transfer, n)::text AS counts FROM (
                        SELECT l.first, l.transfer, count(*) AS n FROM left_ l WHERE l.transfer IS NOT NULL GROUP BY 1, 2
                    ) x GROUP BY first
                ),
                transfers_in AS (
                    SELECT first, jsonb_object_agg(kind, n)::text AS counts FROM (
                        SELECT greatest(date_trunc(\(period.field), p.arrival_date)::date, \(from)::date) AS first,
                               CASE f.departure_reason_code WHEN 'PT' THEN 'planned' ELSE 'emergency' END AS kind, count(*) AS n
                        FROM placement p JOIN premises pr ON pr.id = p.premises_id JOIN placement f ON f.id = p.transferred_from
                        WHERE \(scope.condition) AND p.transferred_from IS NOT NULL AND p.arrived_at IS NOT NULL
                          AND p.arrival_date >= \(from)::date AND p.arrival_date < \(to)::date
                        GROUP BY 1, 2
                    ) x GROUP BY first
                ),
                moved_on AS (SELECT * FROM left_ WHERE transfer IS NULL),
                figures AS (
                    SELECT l.first, count(*) AS departures,
                           avg(l.stay)::float8 AS average_stay,
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY l.stay) AS median_stay,
                           count(*) FILTER (WHERE l.departure_date < l.expected_departure) AS left_early,
                           count(*) FILTER (WHERE l.recall) AS recalls,
                           count(*) FILTER (WHERE l.recall AND l.stay <= 28) AS recalls_28
                    FROM moved_on l GROUP BY l.first
                ),
                by_reason AS (
                    SELECT first, jsonb_object_agg(reason, n)::text AS counts FROM (
                        SELECT l.first, l.reason, count(*) AS n FROM moved_on l GROUP BY 1, 2
                    ) x GROUP BY first
                ),
                by_category AS (
                    SELECT first, jsonb_object_agg(category, n)::text AS counts FROM (
                        SELECT l.first, l.category, count(*) AS n FROM moved_on l WHERE l.category IS NOT NULL GROUP BY 1, 2
                    ) x GROUP BY first
                ),
                by_outcome AS (
                    SELECT first, jsonb_object_agg(outcome, n)::text AS counts FROM (
                        SELECT l.first, l.outcome, count(*) AS n FROM moved_on l GROUP BY 1, 2
                    ) x GROUP BY first
                ),
                non_arrivals AS (
                    SELECT first, sum(n)::bigint AS total, jsonb_object_agg(reason, n)::text AS counts FROM (
                        SELECT greatest(date_trunc(\(period.field), p.expected_arrival)::date, \(from)::date) AS first, r.name AS reason, count(*) AS n
                        FROM placement p JOIN premises pr ON pr.id = p.premises_id
                        JOIN non_arrival_reason r ON r.code = p.non_arrival_reason_code
                        WHERE \(scope.condition) AND p.non_arrived_at IS NOT NULL
                          AND p.expected_arrival >= \(from)::date AND p.expected_arrival < \(to)::date
                        GROUP BY 1, 2
                    ) x GROUP BY first
                )
                SELECT lower(pe.span) AS first, upper(pe.span) AS stop, coalesce(f.departures, 0) AS departures, f.average_stay, f.median_stay,
                       coalesce(f.left_early, 0) AS left_early, coalesce(f.recalls, 0) AS recalls, coalesce(f.recalls_28, 0) AS recalls_28,
                       coalesce(r.counts, '{}') AS by_reason, coalesce(c.counts, '{}') AS by_category, coalesce(o.counts, '{}') AS by_outcome,
                       coalesce(n.total, 0) AS non_arrivals, coalesce(n.counts, '{}') AS non_arrival_reasons,
                       coalesce(ot.counts, '{}') AS transfers_out, coalesce(it.counts, '{}') AS transfers_in
                FROM periods pe
                LEFT JOIN figures f ON f.first = lower(pe.span)
                LEFT JOIN by_reason r ON r.first = lower(pe.span)
                LEFT JOIN by_category c ON c.first = lower(pe.span)
                LEFT JOIN by_outcome o ON o.first = lower(pe.span)
                LEFT JOIN non_arrivals n ON n.first = lower(pe.span)
                LEFT JOIN transfers_out ot ON ot.first = lower(pe.span)
                LEFT JOIN transfers_in it ON it.first = lower(pe.span)
                ORDER BY lower(pe.span)
                """
            ).map { row -> MoveOnReport.Row in
                func counts(_ column: String) throws -> [String: Int] {
                    try JSONDecoder().decode([String: Int].self, from: Data((try row.decode(column, as: String.self)).utf8))
                }
                func share(_ part: Int, of whole: Int) -> Double? { whole > 0 ? Double(part) / Double(whole) : nil }
                let departures = Int(try row.decode("departures", as: Int64.self))
                let outcomes = try counts("by_outcome")
                let leftEarly = Int(try row.decode("left_early", as: Int64.self))
                let recalls = Int(try row.decode("recalls", as: Int64.self))
                let recalls28 = Int(try row.decode("recalls_28", as: Int64.self))
                return MoveOnReport.Row(
                    from: try row.decode("first"), to: try row.decode("stop"), departures: departures, byReason: try counts("by_reason"),
                    byMoveOnCategory: try counts("by_category"), byOutcome: outcomes,
                    settledShare: share(outcomes["settled"] ?? 0, of: departures),
                    averageStayDays: try row.decode("average_stay"), medianStayDays: try row.decode("median_stay"),
                    leftEarly: leftEarly, leftEarlyShare: share(leftEarly, of: departures), recalls: recalls,
                    recallsWithin28Days: recalls28,
                    recallsWithin28DaysShare: share(recalls28, of: recalls),
                    nonArrivals: Int(try row.decode("non_arrivals", as: Int64.self)),
                    nonArrivalsByReason: try counts("non_arrival_reasons"), transfersOut: try counts("transfers_out"),
                    transfersIn: try counts("transfers_in"))
            }
            return MoveOnReport(scope: name, from: from, to: to, period: period, rows: rows)
        }
    }
}
