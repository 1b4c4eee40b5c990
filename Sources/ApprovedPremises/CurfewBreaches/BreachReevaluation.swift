import Foundation
import Postgres

/// Breaches follow the log whenever it is written. A sign-out, sign-in or correction recorded
/// at the time, late (typed up after a paper night) or replayed from an offline journal
/// re-evaluates the curfew windows it can touch: a breach opens where the log shows the resident
/// out when a window starts (or going out during it), closes at their sign-in with the minutes
/// late, and one the log no longer supports is marked void with the entry that voided it. The
/// job (`scan`) opens breaches as windows start; both go through the one-breach-per-window
/// constraint, so neither can open one the other did.
extension CurfewBreachStore {
    /// One effective entry of the log (no correction replaced it), as the breach rules read it.
    struct LogEntry: Sendable, Equatable {
        var id: Int64
        var kind: String
        var at: Date
        var withPermission: Bool
    }

    /// What the log says of one window: from when the resident was out without permission, and
    /// the sign-in that ended it (none yet: the breach is open).
    struct Finding: Sendable, Equatable {
        var lateSince: Date
        var backAt: Date?
        var backEntry: Int64?

        var minutesLate: Int? { backAt.map { max(0, Int($0.timeIntervalSince(lateSince) / 60)) } }
    }

    /// The breach `window` calls for on `log` (oldest first) as of `now`, or nil. Pure.
    static func finding(_ window: CurfewWindow, log: [LogEntry], now: Date) -> Finding? {
        guard window.start <= now else { return nil }
        let cause: Int?
        if let before = log.lastIndex(where: { $0.at <= window.start }), log[before].kind == "out" {
            cause = log[before].withPermission ? nil : before
        } else {
            cause = log.firstIndex { $0.kind == "out" && !$0.withPermission && $0.at > window.start && $0.at < min(window.end, now) }
        }
        guard let cause else { return nil }
        let lateSince = max(window.start, log[cause].at)
        let back = log[(cause + 1)...].first { $0.kind == "in" }
        return Finding(lateSince: lateSince, backAt: back?.at, backEntry: back?.id)
    }

    /// What the audit rows of a re-evaluation keep of a breach.
    struct Facts: Sendable, Encodable {
        var placementId: String
        var windowStart: Date
        var closedAt: Date?
        var minutesLate: Int?
        var closedByEntry: Int64?
        var voidedAt: Date?
        var voidedByEntry: Int64?
    }

    /// What re-evaluating a resident's breaches starts from, as columns over their placement `p`,
    /// its premises `pr` and its referral `r` (`contextSources`): the premises' and the licence's
    /// curfew hours, the arrival, the earliest breach not voided that is still open or closed
    /// after `since`, and the curfew variations. The entry's insert reads them in its own
    /// statement (`CurfewStore.write`), so a sign-out does not ask for them apart.
    static func contextColumns(since: Date) -> SQL {
        """
        pr.time_zone, to_char(pr.curfew_start, 'HH24:MI') AS ap_start, to_char(pr.curfew_end, 'HH24:MI') AS ap_end,
        to_char(r.licence_curfew_start, 'HH24:MI') AS licence_start, to_char(r.licence_curfew_end, 'HH24:MI') AS licence_end,
        p.premises_id, p.arrived_at,
        (SELECT min(b.window_start) FROM curfew_breach b WHERE b.placement_id = p.id AND b.voided_at IS NULL
             AND (b.closed_at IS NULL OR b.closed_at >= \(since)::timestamptz)) AS earliest_breach,
        -- the resident's variations, "first end HH:MM HH:MM" ('-' when lifted), ';' between
        (SELECT string_agg(concat_ws(' ', lower(v.nights), upper(v.nights), coalesce(to_char(v.curfew_start, 'HH24:MI'), '-'),
                                     coalesce(to_char(v.curfew_end, 'HH24:MI'), '-')), ';')
         FROM curfew_variation v WHERE v.placement_id = p.id) AS variations
        """
    }

    /// The tables `contextColumns` reads, joined from the placement `p`.
    static let contextSources: SQL = "placement p JOIN premises pr ON pr.id = p.premises_id LEFT JOIN referral r ON r.id = p.referral_id"

    /// Makes a resident's breaches agree with their log from `since` on (the earliest time the
    /// entry `entryID` touches: its own time, and the time of the entry it corrects), in the
    /// entry's transaction, from `context` (a row with `contextColumns(since:)`, read with the
    /// entry). The windows looked at are those not over by `since` (from the night before it)
    /// and any earlier one whose breach is still open or closed after `since`: no statement when
    /// none is, three (the log, the breaches, and what changes) when some are.
    static func reevaluate(
        placementID: UUID, since: Date, entryID: Int64, context: PostgresRow, by principal: Principal, now: Date,
        on connection: PostgresConnection
    ) async throws {
        let zoneName: String = try context.decode("time_zone")
        let zone = TimeZone(identifier: zoneName) ?? Premises.defaultTimeZone
        guard let apHours = CurfewStore.hours(try context.decode("ap_start"), try context.decode("ap_end")) else { return }
        let licence = CurfewStore.hours(try context.decode("licence_start"), try context.decode("licence_end"))
        let arrivedAt: Date? = try context.decode("arrived_at")
        let earliestBreach: Date? = try context.decode("earliest_breach")
        let earliest = min(since, earliestBreach ?? since)
        let today = CalendarDate.today(in: zone, now: now)
        let firstNight = max(
            CalendarDate.today(in: zone, now: earliest).adding(days: -1),
            arrivedAt.map { CalendarDate.today(in: zone, now: $0).adding(days: -1) } ?? today)
        guard firstNight <= today else { return }

        let variations = try CurfewStore.variations(try context.decode("variations"))
        var windows = [CurfewWindow]()
        var night = firstNight
        while night <= today {
            let variation = variations.first { $0.nights.contains(night) }
            windows += CurfewRules.effectiveWindows(
                night: night, in: zone, premises: apHours, licence: licence,
                variation: (variation != nil, variation?.hours))
            night = night.adding(days: 1)
        }
        // A window that had ended by `since` reads only entries before it, so the entry cannot
        // change it, unless its breach is still open or closed after `since` (its sign-in may be
        // this entry). What is left is the windows from there on: for a live entry by day, none.
        windows = windows.filter { window in
            window.start <= now && (window.end > since || earliestBreach.map { window.start >= $0 } ?? false)
        }
        guard let from = windows.map(\.start).min() else { return }

        let log = try await connection.query(
            """
            (SELECT m.id, m.kind, m.occurred_at, m.with_permission FROM movement m
             WHERE m.placement_id = \(placementID) AND m.occurred_at < \(from)::timestamptz
               AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id)
             ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1)
            UNION ALL
            (SELECT m.id, m.kind, m.occurred_at, m.with_permission FROM movement m
             WHERE m.placement_id = \(placementID) AND m.occurred_at >= \(from)::timestamptz
               AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id))
            """, reusingPlan: true
        ).map {
            LogEntry(
                id: try $0.decode("id"), kind: try $0.decode("kind"), at: try $0.decode("occurred_at"),
                withPermission: try $0.decode("with_permission"))
        }.sorted { ($0.at, $0.id) < ($1.at, $1.id) }

        struct Existing {
            var id: UUID
            var facts: Facts
            var hasOutcome: Bool
        }
        var existing = [Date: Existing]()
        for row in try await connection.query(
            """
            SELECT id, window_start, closed_at, minutes_late, closed_by_movement, voided_at, voided_by_movement, outcome IS NOT NULL AS decided
            FROM curfew_breach WHERE placement_id = \(placementID) AND window_start >= \(from)::timestamptz FOR UPDATE
            """, reusingPlan: true)
        {
            let start: Date = try row.decode("window_start")
            existing[start] = Existing(
                id: try row.decode("id"),
                facts: Facts(
                    placementId: placementID.uuidString, windowStart: start, closedAt: try row.decode("closed_at"),
                    minutesLate: try row.decode("minutes_late"), closedByEntry: try row.decode("closed_by_movement"),
                    voidedAt: try row.decode("voided_at"), voidedByEntry: try row.decode("voided_by_movement")),
                hasOutcome: try row.decode("decided"))
        }

        let premisesID: UUID = try context.decode("premises_id")
        var found = Set<Date>()
        for window in windows {
            guard let finding = finding(window, log: log, now: now) else { continue }
            found.insert(window.start)
            var after = Facts(
                placementId: placementID.uuidString, windowStart: window.start, closedAt: finding.backAt,
                minutesLate: finding.minutesLate, closedByEntry: finding.backEntry, voidedAt: nil, voidedByEntry: nil)
            guard let breach = existing[window.start] else {
                let row = try await connection.one(
                    """
                    INSERT INTO curfew_breach AS b (premises_id, placement_id, window_start, window_end, opened_at, closed_at, closed_by_movement, minutes_late)
                    VALUES (\(premisesID), \(placementID), \(window.start), \(window.end), \(now), \(after.closedAt), \(after.closedByEntry), \(after.minutesLate))
                    ON CONFLICT (placement_id, window_start) DO UPDATE
                        SET closed_at = EXCLUDED.closed_at, closed_by_movement = EXCLUDED.closed_by_movement, minutes_late = EXCLUDED.minutes_late
                    RETURNING b.id
                    """, reusingPlan: true)
                try await AuditLog.record(
                    on: connection, by: principal, action: "curfew_breach.open", entity: "curfew_breach",
                    entityID: (try row.decode("id", as: UUID.self)).uuidString, before: Facts?.none, after: after)
                continue
            }
            // A breach whose outcome is recorded stays closed: reopening it would undo a decision.
            if breach.hasOutcome && after.closedAt == nil && breach.facts.closedAt != nil {
                after.closedAt = breach.facts.closedAt
                after.minutesLate = breach.facts.minutesLate
                after.closedByEntry = breach.facts.closedByEntry
            }
            let same =
                breach.facts.closedAt == after.closedAt && breach.facts.minutesLate == after.minutesLate
                && breach.facts.closedByEntry == after.closedByEntry && breach.facts.voidedAt == nil
            guard !same else { continue }
            try await connection.execute(
                """
                UPDATE curfew_breach SET closed_at = \(after.closedAt), closed_by_movement = \(after.closedByEntry), minutes_late = \(after.minutesLate),
                    voided_at = NULL, voided_by_movement = NULL
                WHERE id = \(breach.id)
                """, reusingPlan: true)
            let action =
                breach.facts.voidedAt != nil
                ? "curfew_breach.reinstate" : after.closedAt == nil ? "curfew_breach.reopen" : "curfew_breach.close"
            try await AuditLog.record(
                on: connection, by: principal, action: action, entity: "curfew_breach",
                entityID: breach.id.uuidString, before: breach.facts, after: after)
        }
        for (start, breach) in existing where !found.contains(start) && breach.facts.voidedAt == nil {
            var after = breach.facts
            after.voidedAt = now
            after.voidedByEntry = entryID
            try await connection.execute(
                """
                UPDATE curfew_breach SET voided_at = \(now), voided_by_movement = \(entryID) WHERE id = \(breach.id)
                """, reusingPlan: true)
            try await AuditLog.record(
                on: connection, by: principal, action: "curfew_breach.void", entity: "curfew_breach",
                entityID: breach.id.uuidString, before: breach.facts, after: after)
        }
    }
}
