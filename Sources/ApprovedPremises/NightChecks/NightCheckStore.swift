import Foundation
import Postgres

/// What staff saw of one resident on a round.
public struct NightCheckObservation: Sendable, Equatable, Codable {
    /// What staff saw of a resident on a round.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case seen
        case notSeen = "not_seen"
        case notInRoom = "not_in_room"
        case refused
    }

    public var placementID: UUID
    public var personName: String
    public var bedLabel: String?
    public var observation: Kind
    public var observedAt: Date
    public var note: String?
}

/// One round of a night's checks, as due and as recorded.
public struct NightCheckRound: Sendable, Equatable, Codable {
    /// A round's state: recorded, missed, due now or to come.
    public enum Status: String, Sendable, Codable {
        /// Recorded (perhaps late: see `recordedLate`).
        case recorded
        /// Due, and its time has passed with nothing recorded: the next round is due, or the night is over.
        case missed
        /// Due now, not yet recorded.
        case due
        /// Not yet due.
        case upcoming
    }

    public var dueAt: Date
    public var status: Status
    public var recordedAt: Date?
    public var recordedBy: String?
    /// Recorded after the time it could have been: once the next round was due.
    public var recordedLate: Bool
    public var observations: [NightCheckObservation]
}

/// A night's rounds at a premises.
public struct NightCheckNight: Sendable, Equatable, Codable {
    public var night: CalendarDate
    public var intervalMinutes: Int
    public var rounds: [NightCheckRound]
}

/// When rounds are due: pure.
public enum NightCheckSchedule {
    /// A round may be recorded this long before it is due (staff start the round a little early).
    public static let earlyAllowance: TimeInterval = 15 * 60

    /// The night whose checks `now` belongs to: the one whose rounds have begun (or begin within
    /// the early allowance), else the one before. With checks from 23:00, 03:00 and 13:00 belong
    /// to the night that began the day before; 22:50 to the night about to begin.
    public static func night(at now: Date, start: WallClock, in timeZone: TimeZone) -> CalendarDate {
        let today = CalendarDate.today(in: timeZone, now: now)
        let begins = CurfewRules.instant(today, start, in: timeZone).addingTimeInterval(-earlyAllowance)
        return now >= begins ? today : today.adding(days: -1)
    }

    /// The due times of the night starting on `night`: every `intervalMinutes` of real time from
    /// the start, while before the end (hourly 23:00-07:00 gives 23:00 … 06:00, eight rounds; on
    /// the nights the clocks change, a round an hour apart however the clock reads).
    public static func dueTimes(night: CalendarDate, start: WallClock, end: WallClock, intervalMinutes: Int, in timeZone: TimeZone)
        -> [Date]
    {
        let window = CurfewRules.window(CurfewHours(start: start, end: end), night: night, in: timeZone, source: .premises)
        var times = [Date]()
        var due = window.start
        while due < window.end {
            times.append(due)
            due = due.addingTimeInterval(Double(intervalMinutes) * 60)
        }
        return times
    }

    /// A round's status at `now`.
    public static func status(dueAt: Date, intervalMinutes: Int, nightEnds: Date, recorded: Bool, now: Date) -> NightCheckRound.Status {
        if recorded { return .recorded }
        let lapses = min(dueAt.addingTimeInterval(Double(intervalMinutes) * 60), max(nightEnds, dueAt.addingTimeInterval(60)))
        if now >= lapses { return .missed }
        return now >= dueAt ? .due : .upcoming
    }
}

/// Night-check rounds: recorded once, a resident at a time, never changed (the database refuses);
/// each entry hash-chained per premises like the curfew log.
public struct NightCheckStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who records night-check rounds: the premises' staff.
    public static let recorders: Set<Role> = [.administrator, .apManager, .residentialWorker, .keyWorker]

    /// One resident's line of a round being recorded.
    public struct Entry: Sendable {
        public var placementID: UUID
        public var observation: String
        public var observedAt: Date?
        public var note: String?

        /// A value with each field given.
        public init(placementID: UUID, observation: String, observedAt: Date? = nil, note: String? = nil) {
            self.placementID = placementID
            self.observation = observation
            self.observedAt = observedAt
            self.note = note
        }
    }

    /// A premises' night-check hours and interval, in its zone.
    public struct Settings: Sendable {
        var timeZone: TimeZone
        var start: WallClock
        var end: WallClock
        var intervalMinutes: Int

        /// The due times of a night's rounds.
        public func dueTimes(_ night: CalendarDate) -> [Date] {
            NightCheckSchedule.dueTimes(night: night, start: start, end: end, intervalMinutes: intervalMinutes, in: timeZone)
        }

        /// The night a moment belongs to.
        public func night(at date: Date) -> CalendarDate {
            NightCheckSchedule.night(at: date, start: start, in: timeZone)
        }

        /// When a night's checks end.
        public func nightEnds(_ night: CalendarDate) -> Date {
            CurfewRules.window(CurfewHours(start: start, end: end), night: night, in: timeZone, source: .premises).end
        }
    }

    /// A premises' night-check settings, read on `connection`.
    public static func settings(_ premisesID: UUID, timeZone: TimeZone, on connection: PostgresConnection) async throws -> Settings {
        let row = try await connection.one(
            """
            SELECT to_char(night_check_start, 'HH24:MI') AS s, to_char(night_check_end, 'HH24:MI') AS e, night_check_interval_minutes
            FROM premises WHERE id = \(premisesID)
            """)
        return Settings(
            timeZone: timeZone, start: WallClock(try row.decode("s"))!, end: WallClock(try row.decode("e"))!,
            intervalMinutes: try row.decode("night_check_interval_minutes"))
    }

    /// Records a round: every resident in residence exactly once. The round is the one due now
    /// (or starting within 15 minutes) unless `dueAt` names another of the night's due times.
    public func record(premisesID: UUID, dueAt: Date?, entries: [Entry], by principal: Principal, now: Date = Date()) async throws
        -> NightCheckRound
    {
        var v = Validation()
        v.require(!entries.isEmpty, field: "observations", rule: "required", "a round records every resident: observations is empty")
        for (index, entry) in entries.enumerated() {
            v.require(
                NightCheckObservation.Kind(rawValue: entry.observation) != nil, field: "observations[\(index)].observation", rule: "oneOf",
                "observation must be one of " + NightCheckObservation.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            if let at = entry.observedAt {
                v.require(
                    at <= now.addingTimeInterval(120), field: "observations[\(index)].observedAt", rule: "future",
                    "observedAt must not be in the future")
            }
        }
        v.require(
            Set(entries.map(\.placementID)).count == entries.count, field: "observations", rule: "unique",
            "each resident appears once in a round")
        try v.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let premises = try await PremisesAccess.require(
                    principal, Self.recorders, to: "record night checks", premisesID: premisesID, on: connection)
                let settings = try await Self.settings(premisesID, timeZone: premises.timeZone, on: connection)
                let due = try Self.round(dueAt, settings: settings, now: now)
                let residents = try await connection.query(
                    """
                    SELECT id, person_name FROM placement
                    WHERE premises_id = \(premisesID) AND arrived_at IS NOT NULL AND departed_at IS NULL
                    ORDER BY person_name
                    """)
                var names = [UUID: String]()
                for row in residents { names[try row.decode("id")] = try row.decode("person_name") }
                let given = Set(entries.map(\.placementID))
                if let stranger = given.subtracting(names.keys).first {
                    throw DomainError.invalid(
                        field: "observations", rule: "resident",
                        "\(stranger.uuidString.lowercased()) is not a resident here now")
                }
                let missing = names.filter { !given.contains($0.key) }.map(\.value).sorted()
                guard missing.isEmpty else {
                    throw DomainError.invalid(
                        field: "observations", rule: "complete",
                        "a round covers every resident; missing: " + missing.joined(separator: ", "))
                }
                if let earlier = try await connection.first(
                    """
                    SELECT s.display_name FROM night_check n JOIN staff s ON s.id = n.recorded_by
                    WHERE n.premises_id = \(premisesID) AND n.round_due_at = \(due) LIMIT 1
                    """)
                {
                    throw DomainError(
                        .conflict,
                        "the round due at \(Self.clock(due, in: settings.timeZone)) is already recorded (by \(try earlier.decode("display_name", as: String.self)))"
                    )
                }
                try await LogChainStore.record(as: principal, on: connection)
                for entry in entries {
                    try await connection.execute(
                        """
                        INSERT INTO night_check (premises_id, round_due_at, placement_id, observation, observed_at, note)
                        VALUES (\(premisesID), \(due), \(entry.placementID), \(entry.observation), \(entry.observedAt ?? now),
                                \(entry.note.flatMap { $0.isBlank ? nil : $0 }))
                        """)
                }
                let round = try await Self.rounds(
                    premisesID: premisesID, settings: settings, night: settings.night(at: due),
                    now: now, on: connection
                ).rounds.first { $0.dueAt == due }!
                try await AuditLog.record(
                    on: connection, by: principal, action: "night_check.round", entity: "night_check_round",
                    entityID: "\(premisesID.uuidString.lowercased())@\(due.formatted(.iso8601))", before: NightCheckRound?.none,
                    after: round)
                return round
            }
        }
    }

    /// The due time a round is recorded against: the one asked for, if it is one of the
    /// night's; otherwise the latest that has started (or starts within the allowance).
    static func round(_ asked: Date?, settings: Settings, now: Date) throws -> Date {
        let reference = asked ?? now.addingTimeInterval(NightCheckSchedule.earlyAllowance)
        let night = settings.night(at: reference)
        let times = settings.dueTimes(night)
        let clock = { (date: Date) in Self.clock(date, in: settings.timeZone) }
        if let asked {
            guard times.contains(asked) else {
                throw DomainError.invalid(
                    field: "dueAt", rule: "schedule",
                    "dueAt must be one of the night's check times: " + times.map(clock).joined(separator: ", "))
            }
            guard asked <= now.addingTimeInterval(NightCheckSchedule.earlyAllowance) else {
                throw DomainError.invalid(field: "dueAt", rule: "future", "the round due at \(clock(asked)) cannot be recorded yet")
            }
            return asked
        }
        guard let current = times.last(where: { $0 <= reference }) else {
            throw DomainError.invalid(
                field: "dueAt", rule: "schedule",
                "no round is due yet; the first is at \(times.first.map(clock) ?? "the start of the night")")
        }
        let lapses = min(current.addingTimeInterval(Double(settings.intervalMinutes) * 60), settings.nightEnds(night))
        guard now < lapses else {
            throw DomainError.invalid(
                field: "dueAt", rule: "schedule",
                "the night's rounds are over; to record a missed round late, give its dueAt (\(times.map(clock).joined(separator: ", ")))")
        }
        return current
    }

    static func clock(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour!, parts.minute!)
    }

    /// A night's rounds with their status: the night `now` is in unless `night` is given.
    public func rounds(premisesID: UUID, night: CalendarDate?, by principal: Principal, now: Date = Date()) async throws -> NightCheckNight
    {
        try await pool.withConnection { connection in
            let premises = try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see night checks", premisesID: premisesID, on: connection)
            let settings = try await Self.settings(premisesID, timeZone: premises.timeZone, on: connection)
            return try await Self.rounds(
                premisesID: premisesID, settings: settings,
                night: night ?? settings.night(at: now), now: now, on: connection)
        }
    }

    static func rounds(premisesID: UUID, settings: Settings, night: CalendarDate, now: Date, on connection: PostgresConnection) async throws
        -> NightCheckNight
    {
        let times = settings.dueTimes(night)
        let nightEnds = settings.nightEnds(night)
        var recorded = [Date: (at: Date, by: String, observations: [NightCheckObservation])]()
        let rows = try await connection.query(
            """
            SELECT n.round_due_at, n.placement_id, p.person_name, n.observation, n.observed_at, n.note, n.recorded_at, s.display_name AS recorded_by,
                   (SELECT b.label FROM bed_allocation a JOIN bed b ON b.id = a.bed_id
                    WHERE a.placement_id = p.id AND a.released_at IS NULL AND a.nights @> \(night)::date LIMIT 1) AS bed
            FROM night_check n JOIN placement p ON p.id = n.placement_id JOIN staff s ON s.id = n.recorded_by
            WHERE n.premises_id = \(premisesID) AND n.round_due_at >= \(times.first ?? nightEnds) AND n.round_due_at < \(nightEnds)
            ORDER BY n.round_due_at, n.chain_seq
            """)
        for row in rows {
            let due: Date = try row.decode("round_due_at")
            let observation = NightCheckObservation(
                placementID: try row.decode("placement_id"), personName: try row.decode("person_name"), bedLabel: try row.decode("bed"),
                observation: NightCheckObservation.Kind(rawValue: try row.decode("observation"))!,
                observedAt: try row.decode("observed_at"),
                note: try row.decode("note"))
            let recordedAt: Date = try row.decode("recorded_at")
            let recordedBy: String = try row.decode("recorded_by")
            var round = recorded[due] ?? (recordedAt, recordedBy, [])
            round.at = max(round.at, recordedAt)
            round.observations.append(observation)
            recorded[due] = round
        }
        let rounds = times.map { due -> NightCheckRound in
            let found = recorded[due]
            let lapses = due.addingTimeInterval(Double(settings.intervalMinutes) * 60)
            return NightCheckRound(
                dueAt: due,
                status: NightCheckSchedule.status(
                    dueAt: due, intervalMinutes: settings.intervalMinutes, nightEnds: nightEnds, recorded: found != nil, now: now),
                recordedAt: found?.at, recordedBy: found?.by, recordedLate: found.map { $0.at > lapses } ?? false,
                observations: found?.observations ?? [])
        }
        return NightCheckNight(night: night, intervalMinutes: settings.intervalMinutes, rounds: rounds)
    }
}
