import Foundation
import Postgres

/// Occupancy over a range of nights, period by period. The definitions (README):
/// - a bed-night is a bed on a night; a bed counts on the nights it is in use;
/// - a bed is usable on a night when it is in use and not out of service;
/// - a placement occupies the nights from its arrival date up to, not including, its departure
///   date: actual dates where recorded, expected ones otherwise; cancelled placements and
///   non-arrivals occupy nothing (as on the bed board);
/// - vacant bed-nights are, premises by premises and night by night, the usable beds no one
///   occupies; a night is overbooked at a premises when more placements occupy it than it has
///   usable beds, or more of them need a room characteristic than its usable beds have;
/// - occupancy rate = occupied bed-nights / usable bed-nights.
public struct OccupancyReport: Sendable, Equatable, Codable {
    /// One period's bed-nights and occupancy.
    public struct Row: Sendable, Equatable, Codable {
        /// The period's first night and the night after its last (clipped to the range).
        public var from: CalendarDate
        public var to: CalendarDate
        /// Beds in use on at least one night of the period.
        public var beds: Int
        public var bedNights: Int
        public var outOfServiceBedNights: Int
        /// Out-of-service bed-nights by reason code (out_of_service_reasons.csv).
        public var outOfServiceByReason: [String: Int]
        public var usableBedNights: Int
        public var occupiedBedNights: Int
        public var vacantBedNights: Int
        /// occupied / usable, nil when nothing was usable.
        public var occupancyRate: Double?
        /// Premises-nights with more placements than usable beds, or than usable beds with a room
        /// characteristic some of them need (as the bed board flags them).
        public var overbookedNights: Int
        /// Of those, the premises-nights when some room characteristic is short: more placements
        /// need it than usable beds have it.
        public var overbookedForNeedsNights: Int
        /// Premises-nights with usable beds and none vacant.
        public var fullNights: Int
    }

    /// One week of the forecast.
    public struct ForecastWeek: Sendable, Equatable, Codable {
        public var from: CalendarDate
        public var to: CalendarDate
        public var usableBedNights: Int
        public var bookedBedNights: Int
        public var freeBedNights: Int
        /// Premises-nights with every usable bed booked (or more).
        public var fullNights: Int
        /// Placements whose (expected) departure falls in the week: beds falling free.
        public var departures: Int
    }

    public var scope: String
    public var from: CalendarDate
    public var to: CalendarDate
    public var period: ReportPeriod
    public var rows: [Row]
    public var total: Row
    /// The coming 12 weeks from today, from bookings and expected departures.
    public var forecast: [ForecastWeek]
}

/// The reports: occupancy, move-on outcomes and operations, read-only (on a replica when one is configured).
public struct ReportStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Runs a report's queries on a connection of the report pool. A report that runs past the
    /// pool's statement timeout (`AP_REPORT_TIMEOUT_SECONDS`) is stopped by the database and
    /// answered as unavailable, with a sentence, never left hanging.
    func reading<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await pool.withConnection(body)
        } catch let error as PostgresError where error.kind == .queryCanceled && !Task.isCancelled {
            let limit = pool.settings.statementTimeoutSeconds.map { "its limit of \($0) seconds" } ?? "its time limit"
            throw DomainError(
                .unavailable,
                "the report took longer than \(limit) and was stopped; ask for a shorter range or a smaller scope, or try again later")
        }
    }

    /// The longest range a report covers.
    public static let maximumDays = 3_700

    static func validate(from: CalendarDate, to: CalendarDate) throws {
        var v = Validation()
        v.require(from < to, field: "to", rule: "order", "to must be after from")
        v.require(from.days(to: to) <= maximumDays, field: "to", rule: "span", "a report covers at most \(maximumDays) days")
        try v.check()
    }

    /// The occupancy report of a scope for the nights from `from` up to `to`.
    public func occupancy(
        _ scope: ReportScope, from: CalendarDate, to: CalendarDate, period: ReportPeriod, by principal: Principal,
        now: Date = Date()
    ) async throws -> OccupancyReport {
        try Self.validate(from: from, to: to)
        return try await reading { connection in
            let name = try await scope.authorise(principal, on: connection)
            let today = CalendarDate.today(in: Premises.defaultTimeZone, now: now)
            let rows = try await Self.occupancyRows(scope, from: from, to: to, period: period, on: connection)
            let total = Self.total(rows, from: from, to: to)
            let forecast = try await Self.forecast(scope, today: today, on: connection)
            return OccupancyReport(scope: name, from: from, to: to, period: period, rows: rows, total: total, forecast: forecast)
        }
    }

    /// The figures of each period, from runs of nights over which a premises' usable beds and
    /// occupying placements stay the same: a few rows per booking, not one per bed per night.
    static func occupancyRows(
        _ scope: ReportScope, from: CalendarDate, to: CalendarDate, period: ReportPeriod,
        on connection: PostgresConnection
    ) async throws -> [OccupancyReport.Row] {
        let rows = try await connection.query(
            """
            WITH rng AS (SELECT daterange(\(from)::date, \(to)::date, '[)') AS r),
            periods AS (\(period.series(from: from, to: to))),
            -- the premises of the scope, numbered: sorting small integers is cheaper than UUIDs
            keys AS (SELECT pr.id, row_number() OVER (ORDER BY pr.id)::integer AS k FROM premises pr WHERE \(scope.condition)),
            beds AS (
                SELECT k.k AS premises_id, b.in_use * rng.r AS span FROM bed b JOIN keys k ON k.id = b.premises_id, rng
                WHERE b.in_use && rng.r
            ),
            outages AS (
                SELECT k.k AS premises_id, o.reason_code, o.nights * b.in_use * rng.r AS span
                FROM bed_out_of_service o JOIN bed b ON b.id = o.bed_id JOIN keys k ON k.id = b.premises_id, rng
                WHERE o.cancelled_at IS NULL AND o.nights && rng.r AND NOT isempty(o.nights * b.in_use * rng.r)
            ),
            stays AS (
                SELECT k.k AS premises_id, p.nights * rng.r AS span FROM placement p JOIN keys k ON k.id = p.premises_id, rng
                WHERE p.nights && rng.r
            ),
            -- every period's first night is a change point too, so that no run crosses a period
            boundaries AS (SELECT k.k AS premises_id, lower(pe.span) AS night FROM keys k CROSS JOIN periods pe),
            changes AS (
                SELECT premises_id, night, 0 AS in_use, 0 AS usable, 0 AS occupied FROM boundaries
                UNION ALL SELECT premises_id, lower(span) AS night, 1, 1, 0 FROM beds
                UNION ALL SELECT premises_id, upper(span), -1, -1, 0 FROM beds
                UNION ALL SELECT premises_id, lower(span), 0, -1, 0 FROM outages
                UNION ALL SELECT premises_id, upper(span), 0, 1, 0 FROM outages
                UNION ALL SELECT premises_id, lower(span), 0, 0, 1 FROM stays
                UNION ALL SELECT premises_id, upper(span), 0, 0, -1 FROM stays
            ),
            -- running sums in night order; changes on the same night give runs of no length
            runs AS (
                SELECT premises_id, night AS first, lead(night) OVER w AS stop,
                       sum(in_use) OVER w AS in_use, sum(usable) OVER w AS usable, sum(occupied) OVER w AS occupied
                FROM changes WINDOW w AS (PARTITION BY premises_id ORDER BY night ROWS UNBOUNDED PRECEDING)
            ),
            run_figures AS (
                SELECT greatest(date_trunc(\(period.field), r.first)::date, \(from)::date) AS first,
                       sum((r.stop - r.first) * r.in_use) AS bed_nights,
                       sum((r.stop - r.first) * r.usable) AS usable, sum((r.stop - r.first) * r.occupied) AS occupied,
                       sum((r.stop - r.first) * greatest(r.usable - r.occupied, 0)) AS vacant,
                       sum(CASE WHEN r.usable > 0 AND r.occupied >= r.usable THEN r.stop - r.first ELSE 0 END) AS full_nights
                FROM runs r WHERE r.stop > r.first
                GROUP BY 1
            ),
            -- the same runs per room characteristic a booking can need: beds (in rooms) with it, stays needing it
            need_changes AS (
                SELECT k.k AS premises_id, f.characteristic_code AS need, lower(b.in_use * rng.r) AS night, 1 AS usable, 0 AS occupied
                FROM bed b JOIN keys k ON k.id = b.premises_id JOIN room_feature f ON f.room_id = b.room_id, rng WHERE b.in_use && rng.r
                UNION ALL
                SELECT k.k, f.characteristic_code, upper(b.in_use * rng.r), -1, 0
                FROM bed b JOIN keys k ON k.id = b.premises_id JOIN room_feature f ON f.room_id = b.room_id, rng WHERE b.in_use && rng.r
                UNION ALL
                SELECT k.k, f.characteristic_code, lower(o.nights * b.in_use * rng.r), -1, 0
                FROM bed_out_of_service o JOIN bed b ON b.id = o.bed_id JOIN keys k ON k.id = b.premises_id
                     JOIN room_feature f ON f.room_id = b.room_id, rng
                WHERE o.cancelled_at IS NULL AND o.nights && rng.r AND NOT isempty(o.nights * b.in_use * rng.r)
                UNION ALL
                SELECT k.k, f.characteristic_code, upper(o.nights * b.in_use * rng.r), 1, 0
                FROM bed_out_of_service o JOIN bed b ON b.id = o.bed_id JOIN keys k ON k.id = b.premises_id
                     JOIN room_feature f ON f.room_id = b.room_id, rng
                WHERE o.cancelled_at IS NULL AND o.nights && rng.r AND NOT isempty(o.nights * b.in_use * rng.r)
                UNION ALL
                SELECT k.k, n.need, lower(p.nights * rng.r), 0, 1
                FROM placement p JOIN keys k ON k.id = p.premises_id CROSS JOIN LATERAL unnest(p.needs) AS n(need), rng
                WHERE p.nights && rng.r AND cardinality(p.needs) > 0
                UNION ALL
                SELECT k.k, n.need, upper(p.nights * rng.r), 0, -1
                FROM placement p JOIN keys k ON k.id = p.premises_id CROSS JOIN LATERAL unnest(p.needs) AS n(need), rng
                WHERE p.nights && rng.r AND cardinality(p.needs) > 0
            ),
            need_runs AS (
                SELECT premises_id, night AS first, lead(night) OVER w AS stop, sum(usable) OVER w AS usable, sum(occupied) OVER w AS occupied
                FROM need_changes WINDOW w AS (PARTITION BY premises_id, need ORDER BY night ROWS UNBOUNDED PRECEDING)
            ),
            -- overbooked: more stays than usable beds, or than usable beds with a characteristic some of them need
            short AS (
                SELECT premises_id, daterange(first, stop) AS span, true AS for_needs FROM need_runs WHERE stop > first AND occupied > usable
                UNION ALL
                SELECT premises_id, daterange(first, stop), false FROM runs WHERE stop > first AND occupied > usable
            ),
            short_spans AS (
                SELECT premises_id, unnest(range_agg(span)) AS span, false AS for_needs FROM short GROUP BY premises_id
                UNION ALL
                SELECT premises_id, unnest(range_agg(span)), true FROM short WHERE for_needs GROUP BY premises_id
            ),
            short_figures AS (
                SELECT lower(pe.span) AS first,
                       sum(upper(s.span * pe.span) - lower(s.span * pe.span)) FILTER (WHERE NOT s.for_needs) AS overbooked,
                       sum(upper(s.span * pe.span) - lower(s.span * pe.span)) FILTER (WHERE s.for_needs) AS for_needs
                FROM periods pe JOIN short_spans s ON s.span && pe.span GROUP BY lower(pe.span)
            ),
            -- beds in use on some night of a period: begun before it ends and not ended before it began
            -- (the beds grouped by their span first: a handful of spans, not every bed for every period)
            bed_spans AS (SELECT lower(span) AS first, upper(span) AS stop, count(*) AS beds FROM beds GROUP BY 1, 2),
            bed_figures AS (
                SELECT pe.first, sum(s.beds) FILTER (WHERE s.first < pe.stop AND s.stop > pe.first) AS beds
                FROM periods pe CROSS JOIN bed_spans s GROUP BY pe.first
            ),
            outage_figures AS (
                SELECT first, jsonb_object_agg(reason_code, nights)::text AS by_reason, sum(nights) AS nights FROM (
                    SELECT lower(pe.span) AS first, o.reason_code, sum(upper(o.span * pe.span) - lower(o.span * pe.span)) AS nights
                    FROM periods pe JOIN outages o ON o.span && pe.span GROUP BY lower(pe.span), o.reason_code
                ) x GROUP BY first
            )
            SELECT lower(pe.span) AS first, upper(pe.span) AS stop,
                   coalesce(b.beds, 0) AS beds, coalesce(f.bed_nights, 0) AS bed_nights,
                   coalesce(o.nights, 0) AS out_of_service, coalesce(o.by_reason, '{}') AS by_reason,
                   coalesce(f.usable, 0) AS usable, coalesce(f.occupied, 0) AS occupied, coalesce(f.vacant, 0) AS vacant,
                   coalesce(sh.overbooked, 0) AS overbooked, coalesce(sh.for_needs, 0) AS overbooked_for_needs,
                   coalesce(f.full_nights, 0) AS full_nights
            FROM periods pe
            LEFT JOIN run_figures f ON f.first = lower(pe.span)
            LEFT JOIN bed_figures b ON b.first = pe.first
            LEFT JOIN outage_figures o ON o.first = lower(pe.span)
            LEFT JOIN short_figures sh ON sh.first = lower(pe.span)
            ORDER BY lower(pe.span)
            """)
        return try rows.map { row in
            let usable = Int(try row.decode("usable", as: Int64.self))
            let occupied = Int(try row.decode("occupied", as: Int64.self))
            let byReason = try JSONDecoder().decode([String: Int].self, from: Data((try row.decode("by_reason", as: String.self)).utf8))
            return OccupancyReport.Row(
                from: try row.decode("first"), to: try row.decode("stop"), beds: Int(try row.decode("beds", as: Int64.self)),
                bedNights: Int(try row.decode("bed_nights", as: Int64.self)),
                outOfServiceBedNights: Int(try row.decode("out_of_service", as: Int64.self)),
                outOfServiceByReason: byReason, usableBedNights: usable, occupiedBedNights: occupied,
                vacantBedNights: Int(try row.decode("vacant", as: Int64.self)),
                occupancyRate: usable > 0 ? Double(occupied) / Double(usable) : nil,
                overbookedNights: Int(try row.decode("overbooked", as: Int64.self)),
                overbookedForNeedsNights: Int(try row.decode("overbooked_for_needs", as: Int64.self)),
                fullNights: Int(try row.decode("full_nights", as: Int64.self)))
        }
    }

    /// The whole range in one row (beds: the most in any period).
    static func total(_ rows: [OccupancyReport.Row], from: CalendarDate, to: CalendarDate) -> OccupancyReport.Row {
        let usable = rows.map(\.usableBedNights).reduce(0, +)
        let occupied = rows.map(\.occupiedBedNights).reduce(0, +)
        return OccupancyReport.Row(
            from: from, to: to, beds: rows.map(\.beds).max() ?? 0, bedNights: rows.map(\.bedNights).reduce(0, +),
            outOfServiceBedNights: rows.map(\.outOfServiceBedNights).reduce(0, +),
            outOfServiceByReason: rows.reduce(into: [:]) { total, row in
                row.outOfServiceByReason.forEach { total[$0.key, default: 0] += $0.value }
            },
            usableBedNights: usable, occupiedBedNights: occupied, vacantBedNights: rows.map(\.vacantBedNights).reduce(0, +),
            occupancyRate: usable > 0 ? Double(occupied) / Double(usable) : nil,
            overbookedNights: rows.map(\.overbookedNights).reduce(0, +),
            overbookedForNeedsNights: rows.map(\.overbookedForNeedsNights).reduce(0, +),
            fullNights: rows.map(\.fullNights).reduce(0, +))
    }

    /// The coming 12 weeks from `today`: usable and booked bed-nights, full nights, departures.
    static func forecast(_ scope: ReportScope, today: CalendarDate, on connection: PostgresConnection) async throws -> [OccupancyReport
        .ForecastWeek]
    {
        let end = today.adding(days: 84)
        let weeks = try await occupancyRows(scope, from: today, to: end, period: .week, on: connection)
        let departures = try await connection.query(
            """
            SELECT coalesce(p.departure_date, p.expected_departure) AS leaves, count(*) AS n
            FROM placement p JOIN premises pr ON pr.id = p.premises_id
            WHERE \(scope.condition) AND NOT isempty(p.nights) AND p.departed_at IS NULL
              AND p.expected_departure >= \(today)::date AND p.expected_departure < \(end)::date
            GROUP BY 1
            """)
        var leaving = [CalendarDate: Int]()
        for row in departures { leaving[try row.decode("leaves")] = Int(try row.decode("n", as: Int64.self)) }
        // Calendar weeks (Monday to Sunday), the first and last cut to the 12 weeks from today.
        return weeks.map { week in
            OccupancyReport.ForecastWeek(
                from: week.from, to: week.to, usableBedNights: week.usableBedNights, bookedBedNights: week.occupiedBedNights,
                freeBedNights: week.vacantBedNights, fullNights: week.fullNights,
                departures: (0..<week.from.days(to: week.to)).map { leaving[week.from.adding(days: $0)] ?? 0 }.reduce(0, +))
        }
    }
}
