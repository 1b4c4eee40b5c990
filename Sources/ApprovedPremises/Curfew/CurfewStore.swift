import Foundation
import Postgres

/// The sign-out and sign-in log: entries are never edited or deleted (the database refuses);
/// a correction is a new entry pointing at the one it corrects.
public struct CurfewStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who signs residents out and in, and corrects the log: the premises' staff.
    public static let recorders: Set<Role> = [.administrator, .apManager, .residentialWorker, .keyWorker]

    static let columns: SQL = """
        m.id, m.placement_id, m.kind, m.occurred_at, m.recorded_at, s.display_name AS recorded_by, m.destination, m.expected_back,
        m.with_permission, m.corrects_id, m.correction_reason,
        (SELECT c.id FROM movement c WHERE c.corrects_id = m.id ORDER BY c.id DESC LIMIT 1) AS corrected_by_id
        """

    static func movement(_ row: PostgresRow) throws -> Movement {
        Movement(
            id: try row.decode("id"), placementID: try row.decode("placement_id"), kind: try row.decode("kind"),
            occurredAt: try row.decode("occurred_at"), recordedAt: try row.decode("recorded_at"), recordedBy: try row.decode("recorded_by"),
            destination: try row.decode("destination"), expectedBack: try row.decode("expected_back"),
            withPermission: try row.decode("with_permission"), correctsID: try row.decode("corrects_id"),
            correctionReason: try row.decode("correction_reason"), correctedByID: try row.decode("corrected_by_id"))
    }

    /// What a sign-out or sign-in records.
    public struct Entry: Sendable {
        public var kind: String
        public var occurredAt: Date
        public var destination: String?
        public var expectedBack: Date?
        public var withPermission: Bool

        /// A value with each field given.
        public init(kind: String, occurredAt: Date, destination: String? = nil, expectedBack: Date? = nil, withPermission: Bool = false) {
            self.kind = kind
            self.occurredAt = occurredAt
            self.destination = destination
            self.expectedBack = expectedBack
            self.withPermission = withPermission
        }
    }

    /// Signs a resident out or in. Refused when they are not resident, when the time is in the
    /// future, or when it repeats their last entry (out twice, in twice).
    public func record(_ placementID: UUID, _ entry: Entry, by principal: Principal, now: Date = Date()) async throws -> Movement {
        try await write(placementID, entry, corrects: nil, reason: nil, by: principal, now: now)
    }

    /// Records a correction: a new entry with the right details, pointing at the one it corrects.
    public func correct(_ entryID: Int64, with entry: Entry, reason: String, by principal: Principal, now: Date = Date()) async throws
        -> Movement
    {
        guard !reason.isBlank else {
            throw DomainError.invalid(field: "reason", rule: "required", "a correction needs a reason")
        }
        guard let row = try await pool.query("SELECT placement_id, occurred_at FROM movement WHERE id = \(entryID)").first else {
            throw DomainError(.notFound, "there is no log entry \(entryID)")
        }
        return try await write(
            try row.decode("placement_id"), entry, corrects: (entryID, try row.decode("occurred_at")), reason: reason,
            by: principal, now: now)
    }

    /// Writes an entry (a correction when `corrects` names the entry and its time) and brings the
    /// resident's breaches into line with the log it leaves (`CurfewBreachStore.reevaluate`).
    private func write(
        _ placementID: UUID, _ entry: Entry, corrects: (id: Int64, occurredAt: Date)?, reason: String?,
        by principal: Principal, now: Date
    ) async throws -> Movement {
        var v = Validation()
        v.require(["out", "in"].contains(entry.kind), field: "kind", rule: "oneOf", "kind must be out or in")
        v.require(
            entry.occurredAt <= now.addingTimeInterval(120), field: "occurredAt", rule: "future", "occurredAt must not be in the future")
        if let back = entry.expectedBack {
            v.require(
                entry.kind == "out" && back > entry.occurredAt, field: "expectedBack", rule: "order", "expectedBack must be after going out"
            )
        }
        try v.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let placement = try await PlacementStore.load(placementID, on: connection, lock: true)
                try await PremisesAccess.require(
                    principal, Self.recorders, to: "sign residents in and out", existingPremises: placement.premisesID,
                    on: connection)
                guard placement.status == .arrived else {
                    throw DomainError(.conflict, "\(placement.personName) is not resident here, so cannot be signed \(entry.kind)")
                }
                try placement.requireHere(at: entry.occurredAt, field: "occurredAt")
                try await Self.requireOrder(entry, of: placement, corrects: corrects, now: now, on: connection)
                // The chained insert comes last: its premises' chain lock is held from here to the commit (the breaches it changes and its audit row follow).
                // It names its recorder itself (`LogChainStore.naming`), and reads with the new entry what the breaches' re-evaluation starts from.
                let since = min(entry.occurredAt, corrects?.occurredAt ?? entry.occurredAt)
                let row = try await connection.one(
                    """
                    WITH written AS (
                        INSERT INTO movement AS m (premises_id, placement_id, kind, occurred_at, destination, expected_back, with_permission, corrects_id, correction_reason)
                        SELECT \(placement.premisesID)::uuid, \(placementID)::uuid, \(entry.kind)::text, \(entry.occurredAt)::timestamptz,
                               \(entry.destination)::text, \(entry.expectedBack)::timestamptz, \(entry.withPermission)::boolean,
                               \(corrects?.id)::bigint, \(reason)::text
                        FROM \(LogChainStore.naming(principal)) AS recorder
                        RETURNING m.id, m.placement_id, m.kind, m.occurred_at, m.recorded_at,
                                  (SELECT s.display_name FROM staff s WHERE s.id = m.recorded_by) AS recorded_by, m.destination,
                                  m.expected_back, m.with_permission, m.corrects_id, m.correction_reason, NULL::bigint AS corrected_by_id
                    )
                    SELECT written.*, \(CurfewBreachStore.contextColumns(since: since))
                    FROM written JOIN \(CurfewBreachStore.contextSources) ON p.id = written.placement_id
                    """, reusingPlan: true)
                let movement = try Self.movement(row)
                let id = movement.id
                try await CurfewBreachStore.reevaluate(
                    placementID: placementID, since: since, entryID: id, context: row, by: principal, now: now,
                    on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: corrects == nil ? "movement.\(entry.kind)" : "movement.correct",
                    entity: "movement", entityID: String(id), before: Movement?.none, after: movement)
                return movement
            }
        }
    }

    /// Refuses (409, nothing written) an entry that would repeat the resident's state (`LogOrder`):
    /// a sign-in while the log has them in at that moment (their arrival included), a sign-out
    /// while out. A new entry is held to the state at its own time (so a paper night can be typed
    /// up in order, sign-out then sign-in, even before entries recorded since); a correction, which
    /// replaces an entry, must leave the log alternating around both its times, though it may
    /// restate the state before it (the entry it corrects never happened). An entry that a
    /// correction already replaced cannot be corrected again.
    static func requireOrder(
        _ entry: Entry, of placement: Placement, corrects: (id: Int64, occurredAt: Date)?, now: Date,
        on connection: PostgresConnection
    ) async throws {
        if let corrects,
            let by = try await connection.first(
                """
                SELECT c.id FROM movement c WHERE c.corrects_id = \(corrects.id) ORDER BY c.id DESC LIMIT 1
                """, reusingPlan: true)
        {
            throw DomainError(
                .conflict,
                "log entry \(corrects.id) was already corrected by entry \(try by.decode("id", as: Int64.self)): correct that one instead")
        }
        let low = min(entry.occurredAt, corrects?.occurredAt ?? entry.occurredAt)
        let high = max(entry.occurredAt, corrects?.occurredAt ?? entry.occurredAt)
        let effective: SQL =
            "m.placement_id = \(placement.id) AND m.id IS DISTINCT FROM \(corrects?.id) AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id)"
        let rows = try await connection.query(
            """
            (SELECT 0 AS part, m.id, m.kind, m.occurred_at FROM movement m WHERE \(effective) AND m.occurred_at <= \(low)::timestamptz
             ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1)
            UNION ALL
            (SELECT 1, m.id, m.kind, m.occurred_at FROM movement m WHERE \(effective)
                 AND m.occurred_at > \(low)::timestamptz AND m.occurred_at <= \(high)::timestamptz)
            UNION ALL
            -- the entry after: a correction answers to it; a new entry does not (a one-time filter skips the probe)
            (SELECT 2, m.id, m.kind, m.occurred_at FROM movement m WHERE \(corrects != nil)::boolean AND \(effective)
                 AND m.occurred_at > \(high)::timestamptz
             ORDER BY m.occurred_at, m.id LIMIT 1)
            """, reusingPlan: true)
        var steps = [LogOrder.Step]()
        var fromArrival = true
        for row in rows {
            let part: Int32 = try row.decode("part")
            if part == 0 { fromArrival = false }
            steps.append(.init(id: try row.decode("id"), kind: try row.decode("kind"), at: try row.decode("occurred_at")))
        }
        steps.sort { ($0.at, $0.id ?? .max) < ($1.at, $1.id ?? .max) }
        let written = LogOrder.Step(id: nil, kind: entry.kind, at: entry.occurredAt)
        guard let repeated = LogOrder.firstRepeat(adding: written, to: steps, fromArrival: fromArrival, restating: corrects != nil) else {
            return
        }

        let zoneName: String = try await connection.one("SELECT time_zone FROM premises WHERE id = \(placement.premisesID)").decode(
            "time_zone")
        let zone = TimeZone(identifier: zoneName) ?? Premises.defaultTimeZone
        func when(_ date: Date) -> String { DateTimeText.spoken(date, in: zone) }
        func state(_ step: LogOrder.Step?) -> String {
            guard let step else { return "in (arrived \(placement.arrivedAt.map(when) ?? "-"))" }
            return "\(step.kind) (signed \(step.kind) at \(when(step.at)))"
        }
        let name = placement.personName
        if repeated.after == written {
            // A live entry meets the state now; a late one or a correction, the state at its own time.
            if corrects == nil && now.timeIntervalSince(entry.occurredAt) <= 15 * 60 {
                throw DomainError(
                    .conflict,
                    "\(name) is \(state(repeated.before)), so cannot be signed \(entry.kind); "
                        + "if the log is wrong, correct the entry that is")
            }
            throw DomainError(
                .conflict,
                "\(name) was \(state(repeated.before)) at \(when(entry.occurredAt)), so cannot be signed \(entry.kind) then; "
                    + "if the log is wrong, correct the entry that is")
        }
        let first = repeated.before.map { "at " + when($0.at) } ?? "on arrival at \(placement.arrivedAt.map(when) ?? "-")"
        throw DomainError(
            .conflict,
            "that correction would leave \(name) signed \(repeated.after.kind) twice in a row "
                + "(\(first) and at \(when(repeated.after.at))); correct the other entry too, or give a time that keeps the log in order")
    }

    /// A resident's log, newest first, corrected entries included and marked.
    public func log(_ placementID: UUID, by principal: Principal) async throws -> [Movement] {
        try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see the curfew log", premisesID: placement.premisesID, on: connection)
            return try await connection.query(
                """
                SELECT \(Self.columns) FROM movement m JOIN staff s ON s.id = m.recorded_by
                WHERE m.placement_id = \(placementID) ORDER BY m.occurred_at DESC, m.id DESC
                """
            ).map(Self.movement)
        }
    }

    /// Every resident of a premises with where they are now, what needs action first.
    public func tonight(premisesID: UUID, by principal: Principal, now: Date = Date()) async throws -> [ResidentState] {
        let action = "see who is in"
        try principal.require(Set(Role.allCases), to: action)
        // The premises comes back with its residents, so the access check costs no statement of its own.
        guard
            let premises = try await pool.withConnection({ connection in
                try await Self.states(premisesIDs: [premisesID], now: now, on: connection)[premisesID]
            })
        else {
            throw DomainError(.notFound, "there is no premises \(premisesID.uuidString.lowercased())")
        }
        guard principal.canSee(premisesID: premisesID, regionCode: premises.regionCode) else {
            throw PremisesAccess.notYours
        }
        return premises.states
    }

    /// Every resident's state, by premises, without an access check: for `tonight` (one premises)
    /// and the breach job (every active premises, when `premisesIDs` is nil).
    ///
    /// One query whatever the number of premises, and each resident costs a few index probes
    /// whatever the length of the log: their last entry is found by walking their own entries
    /// newest first (`movement_latest_by_placement`) to the first that no correction replaced
    /// (`movement_correction_of`). A "current state" row kept by the chaining trigger would
    /// save those probes, but it would be a second copy of the log to keep true; the walk reads
    /// the log itself, so what it says cannot drift from it.
    static func states(premisesIDs: [UUID]?, now: Date, on connection: PostgresConnection) async throws -> [UUID: PremisesStates] {
        // Two texts, so that each keeps a plan of its own (see `reusingPlan`).
        let scope: SQL = premisesIDs.map { ids in "pr.id = ANY (\(ids.map(\.uuidString))::uuid[])" } ?? "pr.active"
        // Tonight's date in each premises' own time zone.
        let today: SQL = "(\(now)::timestamptz AT TIME ZONE pr.time_zone)::date"
        let residents = try await connection.query(
            """
            SELECT pr.id AS premises_id, pr.name AS premises_name, pr.region_code, pr.time_zone,
                   to_char(pr.curfew_start, 'HH24:MI') AS ap_start, to_char(pr.curfew_end, 'HH24:MI') AS ap_end,
                   p.id, p.person_name, p.crn,
                   (SELECT b.label FROM bed_allocation a JOIN bed b ON b.id = a.bed_id
                    WHERE a.placement_id = p.id AND a.released_at IS NULL AND a.nights @> \(today) LIMIT 1) AS bed,
                   to_char(r.licence_curfew_start, 'HH24:MI') AS licence_start, to_char(r.licence_curfew_end, 'HH24:MI') AS licence_end,
                   last.kind AS last_kind, last.occurred_at AS last_at, last.destination AS last_destination,
                   last.expected_back AS last_expected_back, last.with_permission AS last_with_permission,
                   -- variations over last night or tonight: "first end HH:MM HH:MM" ('-' when lifted), ';' between
                   (SELECT string_agg(concat_ws(' ', lower(v.nights), upper(v.nights), coalesce(to_char(v.curfew_start, 'HH24:MI'), '-'),
                                                coalesce(to_char(v.curfew_end, 'HH24:MI'), '-')), ';')
                    FROM curfew_variation v
                    WHERE v.placement_id = p.id AND v.nights && daterange(\(today) - 1, \(today) + 1, '[)')) AS variations
            FROM premises pr
            LEFT JOIN placement p ON p.premises_id = pr.id AND p.arrived_at IS NOT NULL AND p.departed_at IS NULL
            LEFT JOIN referral r ON r.id = p.referral_id
            LEFT JOIN LATERAL (
                SELECT m.kind, m.occurred_at, m.destination, m.expected_back, m.with_permission FROM movement m
                WHERE m.placement_id = p.id AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id)
                ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1
            ) last ON true
            WHERE \(scope)
            """, reusingPlan: true)
        var states = [UUID: PremisesStates]()
        // Most residents of a premises share its curfew (and many a licence curfew): the windows
        // of each distinct set of hours are worked out once, since calendar arithmetic is dear.
        var zones = [String: (timeZone: TimeZone, today: CalendarDate)]()
        struct WindowsKey: Hashable {
            var zone: String
            var night: CalendarDate
            var premises: CurfewHours
            var licence: CurfewHours?
            /// nil: no variation; .some(nil): the curfew lifted.
            var variation: CurfewHours??
        }
        var windowsOf = [WindowsKey: [CurfewWindow]]()
        for row in residents {
            let premisesID: UUID = try row.decode("premises_id")
            if states[premisesID] == nil {
                states[premisesID] = PremisesStates(
                    name: try row.decode("premises_name"), regionCode: try row.decode("region_code"), states: [])
            }
            // A premises with nobody in residence comes back as one row with no resident.
            guard let id: UUID = try row.decode("id") else { continue }
            let zone: String = try row.decode("time_zone")
            if zones[zone] == nil {
                let timeZone = TimeZone(identifier: zone) ?? Premises.defaultTimeZone
                zones[zone] = (timeZone, CalendarDate.today(in: timeZone, now: now))
            }
            let (timeZone, today) = zones[zone]!
            let apHours = Self.hours(try row.decode("ap_start"), try row.decode("ap_end"))!
            let licence = Self.hours(try row.decode("licence_start"), try row.decode("licence_end"))
            let variations = try Self.variations(try row.decode("variations"))
            let windows = [today.adding(days: -1), today].flatMap { night -> [CurfewWindow] in
                let variation = variations.first { $0.nights.contains(night) }
                let key = WindowsKey(zone: zone, night: night, premises: apHours, licence: licence, variation: variation.map(\.hours))
                if let known = windowsOf[key] { return known }
                let worked = CurfewRules.effectiveWindows(
                    night: night, in: timeZone, premises: apHours, licence: licence,
                    variation: (variation != nil, variation?.hours))
                windowsOf[key] = worked
                return worked
            }
            let lastKind: String? = try row.decode("last_kind")
            let lastAt: Date? = try row.decode("last_at")
            let lastOut: (at: Date, destination: String?, expectedBack: Date?, withPermission: Bool)? =
                lastKind == "out"
                ? (
                    lastAt!, try row.decode("last_destination"), try row.decode("last_expected_back"),
                    try row.decode("last_with_permission")
                )
                : nil
            let (state, minutes, window) = NightState.state(lastOut: lastOut, windows: windows, now: now)
            states[premisesID]!.states.append(
                ResidentState(
                    placementID: id, personName: try row.decode("person_name"), crn: try row.decode("crn"), bedLabel: try row.decode("bed"),
                    state: state, since: lastAt, destination: lastOut?.destination, expectedBack: lastOut?.expectedBack,
                    minutesLate: minutes,
                    curfewStart: window?.start, curfewEnd: window?.end))
        }
        return states.mapValues { PremisesStates(name: $0.name, regionCode: $0.regionCode, states: NightState.sorted($0.states)) }
    }

    /// A premises and its residents' states, most urgent first.
    struct PremisesStates {
        var name: String
        var regionCode: String
        var states: [ResidentState]
    }

    /// The variations `states` reads in one column: "first end HH:MM HH:MM" each ('-' for a lifted curfew), ';' between.
    static func variations(_ text: String?) throws -> [(nights: Nights, hours: CurfewHours?)] {
        try (text ?? "").split(separator: ";").map { variation in
            let parts = variation.split(separator: " ").map(String.init)
            guard parts.count == 4, let first = CalendarDate(parts[0]), let end = CalendarDate(parts[1]) else {
                throw DomainError(.conflict, "a curfew variation could not be read")
            }
            return (Nights(first: first, end: end), Self.hours(parts[2], parts[3]))
        }
    }

    /// Curfew hours from two `HH:MM` columns; nil when either is missing.
    static func hours(_ start: String?, _ end: String?) -> CurfewHours? {
        guard let start = start.flatMap(WallClock.init), let end = end.flatMap(WallClock.init) else { return nil }
        return CurfewHours(start: start, end: end)
    }
}
