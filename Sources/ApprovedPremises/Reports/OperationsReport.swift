import Foundation
import Postgres

/// How an AP is run, period by period: curfew breaches against resident-nights and how they
/// ended; drug and alcohol tests by result and substance, and missed tests; key-work sessions
/// per resident-week and sessions held late; and the referral pipeline.
public struct OperationsReport: Sendable, Equatable, Codable {
    /// One period's breaches, tests, key work and referrals.
    public struct Row: Sendable, Equatable, Codable {
        public var from: CalendarDate
        public var to: CalendarDate
        /// Nights residents lived here (arrival up to departure).
        public var residentNights: Int
        /// Breaches whose curfew window began in the period.
        public var curfewBreaches: Int
        public var breachesPer100ResidentNights: Double?
        /// open, escalated, closed.
        public var breachesByState: [String: Int]
        /// no_action, warning, reported_to_pp, recall_requested, none (not yet decided).
        public var breachesByOutcome: [String: Int]
        public var testsTaken: Int
        public var testsMissed: Int
        public var missedByReason: [String: Int]
        /// "substance: result" → count.
        public var testResults: [String: Int]
        public var keyWorkSessions: Int
        public var sessionsPerResidentWeek: Double?
        /// Sessions held after the day they were due (the previous session's next date, or the
        /// premises' interval after the previous session or the arrival).
        public var sessionsHeldLate: Int
        /// Referrals received in the period (for a premises or region: those booked there).
        public var referralsReceived: Int
        public var medianDaysToDecision: Double?
        public var medianDaysToArrival: Double?
        /// The referrals' status now.
        public var referralsByStatus: [String: Int]
    }

    public var scope: String
    public var from: CalendarDate
    public var to: CalendarDate
    public var period: ReportPeriod
    public var rows: [Row]
}

extension ReportStore {
    /// The operations report of a scope for the days from `from` up to `to`.
    public func operations(_ scope: ReportScope, from: CalendarDate, to: CalendarDate, period: ReportPeriod, by principal: Principal)
        async throws -> OperationsReport
    {
        try Self.validate(from: from, to: to)
        return try await reading { connection in
            let name = try await scope.authorise(principal, on: connection)
            let bucket = { (column: String) -> SQL in
                "greatest(date_trunc(\(period.field), \(unsafeSQL: column))::date, \(from)::date)"
            }
            let local = { (column: String) -> String in "(\(column) AT TIME ZONE pr.time_zone)::date" }
            let inRange = { (column: String) -> SQL in "\(unsafeSQL: column) >= \(from)::date AND \(unsafeSQL: column) < \(to)::date" }
            let rows = try await connection.query(
                """
                WITH periods AS (\(period.series(from: from, to: to))),
                resident AS (
                    SELECT pe.first, sum(upper(p.resident_nights * daterange(pe.first, pe.stop)) - lower(p.resident_nights * daterange(pe.first, pe.stop))) AS nights
                    FROM periods pe JOIN placement p ON p.resident_nights && daterange(pe.first, pe.stop) JOIN premises pr ON pr.id = p.premises_id
                    WHERE \(scope.condition) GROUP BY pe.first
                ),
                breaches AS (
                    SELECT \(bucket(local("b.window_start"))) AS first,
                           CASE WHEN b.closed_at IS NOT NULL THEN 'closed' WHEN b.escalated_at IS NOT NULL THEN 'escalated' ELSE 'open' END AS state,
                           coalesce(b.outcome, 'none') AS outcome
                    FROM curfew_breach b JOIN premises pr ON pr.id = b.premises_id
                    WHERE \(scope.condition) AND \(inRange(local("b.window_start"))) AND b.voided_at IS NULL
                ),
                tests AS (
                    SELECT \(bucket(local("t.required_at"))) AS first, t.id, t.taken_at IS NOT NULL AS taken, t.missed_reason
                    FROM substance_test t JOIN premises pr ON pr.id = t.premises_id
                    WHERE \(scope.condition) AND \(inRange(local("t.required_at")))
                ),
                sessions AS (
                    SELECT \(bucket("s.held_on")) AS first, s.held_on > s.due_on AS late FROM (
                        SELECT k.held_at, \(unsafeSQL: local("k.held_at")) AS held_on,
                               coalesce(lag(k.next_session_on) OVER w,
                                        coalesce(lag(\(unsafeSQL: local("k.held_at"))) OVER w, p.arrival_date) + pr.key_work_interval_days) AS due_on
                        FROM key_work_session_now k JOIN placement p ON p.id = k.placement_id JOIN premises pr ON pr.id = p.premises_id
                        WHERE \(scope.condition)
                        WINDOW w AS (PARTITION BY k.placement_id ORDER BY k.held_at)
                    ) s WHERE \(inRange("s.held_on"))
                ),
                referrals AS (
                    SELECT \(bucket("(r.created_at AT TIME ZONE 'Europe/London')::date")) AS first, r.status,
                           (SELECT min(e.created_at) FROM referral_event e WHERE e.referral_id = r.id AND e.kind IN ('accepted', 'rejected')) - r.created_at AS to_decision,
                           (SELECT min(p.arrived_at) FROM placement p WHERE p.referral_id = r.id) - r.created_at AS to_arrival
                    FROM referral r
                    WHERE \(inRange("(r.created_at AT TIME ZONE 'Europe/London')::date"))
                      AND (\(scope == .country)::boolean OR EXISTS (SELECT 1 FROM placement p JOIN premises pr ON pr.id = p.premises_id
                                                          WHERE p.referral_id = r.id AND \(scope.condition)))
                )
                SELECT pe.first, pe.stop, coalesce(rn.nights, 0) AS resident_nights,
                       (SELECT count(*) FROM breaches b WHERE b.first = pe.first) AS breaches,
                       (SELECT coalesce(jsonb_object_agg(state, n), '{}')::text FROM (SELECT state, count(*) AS n FROM breaches b WHERE b.first = pe.first GROUP BY state) x) AS by_state,
                       (SELECT coalesce(jsonb_object_agg(outcome, n), '{}')::text FROM (SELECT outcome, count(*) AS n FROM breaches b WHERE b.first = pe.first GROUP BY outcome) x) AS by_outcome,
                       (SELECT count(*) FROM tests t WHERE t.first = pe.first AND t.taken) AS taken,
                       (SELECT count(*) FROM tests t WHERE t.first = pe.first AND NOT t.taken) AS missed,
                       (SELECT coalesce(jsonb_object_agg(missed_reason, n), '{}')::text FROM (
                            SELECT missed_reason, count(*) AS n FROM tests t WHERE t.first = pe.first AND NOT t.taken GROUP BY missed_reason) x) AS missed_reasons,
                       (SELECT coalesce(jsonb_object_agg(key, n), '{}')::text FROM (
                            SELECT x.substance || ': ' || x.result AS key, count(*) AS n FROM tests t JOIN substance_test_result_now x ON x.test_id = t.id
                            WHERE t.first = pe.first GROUP BY 1) y) AS results,
                       (SELECT count(*) FROM sessions s WHERE s.first = pe.first) AS sessions,
                       (SELECT count(*) FROM sessions s WHERE s.first = pe.first AND s.late) AS late,
                       (SELECT count(*) FROM referrals r WHERE r.first = pe.first) AS referrals,
                       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.to_decision) / 86400) FROM referrals r
                        WHERE r.first = pe.first AND r.to_decision IS NOT NULL) AS to_decision,
                       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.to_arrival) / 86400) FROM referrals r
                        WHERE r.first = pe.first AND r.to_arrival IS NOT NULL) AS to_arrival,
                       (SELECT coalesce(jsonb_object_agg(status, n), '{}')::text FROM (SELECT status, count(*) AS n FROM referrals r WHERE r.first = pe.first GROUP BY status) x) AS statuses
                FROM periods pe LEFT JOIN resident rn ON rn.first = pe.first
                ORDER BY pe.first
                """)
            return OperationsReport(
                scope: name, from: from, to: to, period: period,
                rows: try rows.map { row in
                    func counts(_ column: String) throws -> [String: Int] {
                        try JSONDecoder().decode([String: Int].self, from: Data((try row.decode(column, as: String.self)).utf8))
                    }
                    func int(_ column: String) throws -> Int { Int(try row.decode(column, as: Int64.self)) }
                    let nights = try int("resident_nights")
                    let breaches = try int("breaches")
                    let sessions = try int("sessions")
                    return OperationsReport.Row(
                        from: try row.decode("first"), to: try row.decode("stop"), residentNights: nights, curfewBreaches: breaches,
                        breachesPer100ResidentNights: nights > 0 ? Double(breaches) * 100 / Double(nights) : nil,
                        breachesByState: try counts("by_state"), breachesByOutcome: try counts("by_outcome"),
                        testsTaken: try int("taken"), testsMissed: try int("missed"), missedByReason: try counts("missed_reasons"),
                        testResults: try counts("results"), keyWorkSessions: sessions,
                        sessionsPerResidentWeek: nights > 0 ? Double(sessions) * 7 / Double(nights) : nil,
                        sessionsHeldLate: try int("late"),
                        referralsReceived: try int("referrals"), medianDaysToDecision: try row.decode("to_decision"),
                        medianDaysToArrival: try row.decode("to_arrival"), referralsByStatus: try counts("statuses"))
                })
        }
    }
}
