import ApprovedPremises
import Foundation
import Postgres

/// Years of night checks and of the sign-out/sign-in log, loaded the way `pg_restore` loads a
/// dump: in bulk, with the tables' triggers off. Each entry's id, place in its premises' hash
/// chain and hash are worked out here with the one definition of what a hash covers
/// (`ChainEncoding`, mirrored by the chain trigger of migration 0017), so the chains verify like
/// any written one at a time (`ap verify`; the seed's test checks them, and that every row's
/// references hold).
extension NationalSeed {
    /// A resident of the seeded history: the nights they were in residence, when they arrived
    /// (nothing of theirs is recorded before), and the nights they came back after the curfew
    /// began (a breach), with the minutes late.
    struct SeededResident {
        var placement: UUID
        var nights: Nights
        var keyWorker: UUID
        var arrivedAt: Int64
        var lateBack: [CalendarDate: Int] = [:]
    }

    static let nightCheckColumns = [
        "id", "premises_id", "chain_seq", "round_due_at", "placement_id", "observation", "observed_at", "recorded_at",
        "recorded_by", "previous_hash", "entry_hash",
    ]
    static let movementColumns = [
        "id", "premises_id", "chain_seq", "placement_id", "kind", "occurred_at", "recorded_at", "recorded_by", "destination",
        "expected_back", "previous_hash", "entry_hash",
    ]

    /// The clock of one night at the seeded premises (Europe/London, curfew and hourly night checks
    /// 23:00-07:00), in seconds since 1970: worked out once per night, not once per resident.
    struct NightClock {
        var noon: Int64
        var curfew: Int64
        var rounds: [Int64]

        init(_ night: CalendarDate, in timeZone: TimeZone) {
            noon = Int64(CurfewRules.instant(night, WallClock(hour: 12, minute: 0), in: timeZone).timeIntervalSince1970)
            curfew = Int64(CurfewRules.instant(night, WallClock(hour: 23, minute: 0), in: timeZone).timeIntervalSince1970)
            rounds = NightCheckSchedule.dueTimes(
                night: night, start: WallClock(hour: 23, minute: 0), end: WallClock(hour: 7, minute: 0),
                intervalMinutes: 60, in: timeZone
            ).map { Int64($0.timeIntervalSince1970) }
        }
    }

    /// Writes every premises' night checks and outings over the whole history, premises by
    /// premises and in time order, generating the next premises while the last ones load. Needs
    /// a superuser connection (triggers off). Nothing is committed until every premises has
    /// loaded, so a failure leaves none of it behind.
    func loadChainedLogs(
        pool: PostgresPool, premises: [UUID], residents: [UUID: [SeededResident]], random: inout SeededGenerator,
        progress: @Sendable (String) -> Void
    ) async throws -> (nightChecks: Int, movements: Int) {
        var clocks = [CalendarDate: NightClock]()
        var totals = (nightChecks: 0, movements: 0)
        // The ids the rows are hashed with, after any already there; the sequences are moved past them at the end.
        let highest = try await pool.query(
            """
            SELECT (SELECT coalesce(max(id), 0) FROM night_check) AS checks, (SELECT coalesce(max(id), 0) FROM movement) AS movements
            """)[0]
        var nextIDs = (
            nightCheck: try highest.decode("checks", as: Int64.self) + 1, movement: try highest.decode("movements", as: Int64.self) + 1
        )
        // Two connections load side by side (the database, not this loop, is the slower part), each
        // in a transaction with the triggers off for that transaction only: the chains are computed
        // below, and every reference is to a row this seed has just written. Both commit only when
        // every premises has loaded.
        try await pool.withConnection { first in
            try await pool.withConnection { second in
                let lanes = [first, second]
                for lane in lanes {
                    try await lane.execute("BEGIN")
                    try await lane.execute("SET LOCAL session_replication_role = replica")
                    try await lane.execute("SET LOCAL synchronous_commit = off")
                }
                var loading: [Task<Void, Error>?] = [nil, nil]
                do {
                    for (index, premisesID) in premises.enumerated() {
                        var (checks, outings) = chainedLogs(
                            at: premisesID, residents: residents[premisesID] ?? [], firstIDs: nextIDs,
                            clocks: &clocks, random: &random)
                        nextIDs = (checks.nextID, outings.nextID)
                        let (checkText, outingText) = (checks.finish(), outings.finish())
                        totals.nightChecks += checks.rows
                        totals.movements += outings.rows
                        let lane = index % lanes.count
                        await Task.yield()  // a premises' year of hashing is long: let other tasks run between premises
                        try await loading[lane]?.value
                        loading[lane] = Task { [connection = lanes[lane]] in
                            try await connection.copy(into: "night_check", columns: Self.nightCheckColumns, text: checkText)
                            try await connection.copy(into: "movement", columns: Self.movementColumns, text: outingText)
                        }
                        if index % 8 == 7 || index == premises.count - 1 {
                            progress(
                                "night checks and outings: \(index + 1) of \(premises.count) premises (\(totals.nightChecks + totals.movements) rows)"
                            )
                        }
                    }
                    for task in loading { try await task?.value }
                } catch {
                    for task in loading { _ = try? await task?.value }
                    for lane in lanes { _ = try? await lane.execute("ROLLBACK") }
                    throw error
                }
                try await first.execute(
                    """
                    SELECT setval(pg_get_serial_sequence('night_check', 'id'), \(nextIDs.nightCheck - 1), \(nextIDs.nightCheck > 1)),
                           setval(pg_get_serial_sequence('movement', 'id'), \(nextIDs.movement - 1), \(nextIDs.movement > 1))
                    """)
                for lane in lanes { try await lane.execute("COMMIT") }
            }
        }
        return totals
    }

    /// One premises' night checks and outings over its residents' nights, in the order they are
    /// chained.
    func chainedLogs(
        at premisesID: UUID, residents: [SeededResident], firstIDs: (nightCheck: Int64, movement: Int64),
        clocks: inout [CalendarDate: NightClock], random: inout SeededGenerator
    ) -> (checks: ChainedCopyText, outings: ChainedCopyText) {
        let london = Premises.defaultTimeZone
        var checks = ChainedCopyText(table: "night_check", premises: premisesID, firstID: firstIDs.nightCheck)
        var outings = ChainedCopyText(table: "movement", premises: premisesID, firstID: firstIDs.movement)
        let here = residents.sorted { ($0.nights.first, $0.placement.lowercased) < ($1.nights.first, $1.placement.lowercased) }
        guard let firstNight = here.first?.nights.first, let lastEnd = here.map(\.nights.end).max() else { return (checks, outings) }
        var arriving = here[...]
        var active = [(resident: SeededResident, id: [UInt8], keyWorker: [UInt8])]()
        var night = firstNight
        while night < lastEnd {
            while let next = arriving.first, next.nights.first <= night {
                arriving.removeFirst()
                let entry = (next, Array(next.placement.lowercased.utf8), Array(next.keyWorker.lowercased.utf8))
                active.insert(entry, at: active.firstIndex { $0.id.lexicographicallyPrecedes(entry.1) == false } ?? active.endIndex)
            }
            active.removeAll { $0.resident.nights.end <= night }
            if active.isEmpty {
                night = night.adding(days: 1)
                continue
            }
            if clocks[night] == nil { clocks[night] = NightClock(night, in: london) }
            let clock = clocks[night]!

            // Outings: most residents go out in the day and are back within a few hours; on a
            // breach night the resident comes back after the curfew began.
            var movements = [(at: Int64, order: Int, resident: Int, kind: String, destination: String?, expectedBack: Int64?)]()
            for (position, entry) in active.enumerated() {
                if let late = entry.resident.lateBack[night] {
                    let out = max(clock.curfew - Int64(Int.random(in: 60...240, using: &random)) * 60, entry.resident.arrivedAt + 600)
                    movements.append((out, movements.count, position, "out", "family", clock.curfew))
                    movements.append((clock.curfew + Int64(late) * 60, movements.count, position, "in", nil, nil))
                } else if Double.random(in: 0..<1, using: &random) < 0.7 {
                    let out =
                        clock.noon + Int64(Int.random(in: -2...7, using: &random)) * 3600 + Int64(Int.random(in: 0...59, using: &random))
                        * 60
                    let back = out + Int64(Int.random(in: 30...240, using: &random)) * 60
                    let destination = random.pick([("work", 3.0), ("shops", 2.0), ("family", 2.0), ("appointment", 1.0)])
                    if out > entry.resident.arrivedAt {
                        movements.append((out, movements.count, position, "out", destination, back + 600))
                        movements.append((back, movements.count, position, "in", nil, nil))
                    }
                }
            }
            movements.sort { ($0.at, $0.order) < ($1.at, $1.order) }
            for movement in movements {
                let entry = active[movement.resident]
                outings.appendMovement(
                    placement: entry.id, kind: movement.kind, at: movement.at, by: entry.keyWorker,
                    destination: movement.destination, expectedBack: movement.expectedBack)
            }

            // Night checks: every resident in residence, each round; now and then a round is
            // missed, or recorded after the next was due. Chained in the order recorded.
            var observations = [(recorded: Int64, due: Int64, order: Int, resident: Int, observed: Int64, observation: String)]()
            for due in clock.rounds {
                let roll = Double.random(in: 0..<1, using: &random)
                if roll < 0.002 { continue }
                let recordedLate = roll > 0.99 ? Int64(Int.random(in: 65...110, using: &random)) * 60 : nil
                for (position, entry) in active.enumerated() {
                    let observed = due + Int64(Int.random(in: 0...20, using: &random)) * 60
                    var observation = Self.observation(&random)
                    if let late = entry.resident.lateBack[night], due < clock.curfew + Int64(late) * 60 { observation = "not_in_room" }
                    observations.append(
                        (recordedLate.map { due + $0 } ?? observed, due, observations.count, position, observed, observation))
                }
            }
            observations.sort { ($0.recorded, $0.due, $0.order) < ($1.recorded, $1.due, $1.order) }
            for check in observations {
                let entry = active[check.resident]
                checks.appendNightCheck(
                    due: check.due, placement: entry.id, observation: check.observation, observed: check.observed,
                    recorded: check.recorded, by: entry.keyWorker)
            }
            night = night.adding(days: 1)
        }
        return (checks, outings)
    }

    static func observation(_ random: inout SeededGenerator) -> String {
        let point = Double.random(in: 0..<100, using: &random)
        return point < 96 ? "seen" : point < 98 ? "not_seen" : point < 99.5 ? "not_in_room" : "refused"
    }
}

extension UUID {
    /// As PostgreSQL prints a uuid.
    fileprivate var lowercased: String { uuidString.lowercased() }
}

/// One premises' rows of a hash-chained log as COPY text, each given its id, its place in the
/// chain and its hash (`ChainEncoding`) as it is appended.
struct ChainedCopyText {
    private let premises: [UInt8]
    private var previous: [UInt8]? = nil
    private(set) var rows = 0
    private(set) var nextID: Int64
    private var text = [UInt8]()
    private var encoding: ChainEncoding.Builder
    private let table: String
    private var chunks = [String]()

    init(table: String, premises: UUID, firstID: Int64) {
        self.table = table
        self.premises = Array(premises.uuidString.lowercased().utf8)
        self.nextID = firstID
        encoding = ChainEncoding.Builder(table: table)
        text.reserveCapacity(1 << 20 + 4_096)
    }

    /// A column: into the hash's encoding, and into the COPY text unless `copied` is false
    /// (a column the table's default fills in the same).
    private mutating func column(_ bytes: [UInt8]?, copied: Bool = true) {
        encoding.field(bytes)
        guard copied else { return }
        if text.last != 10 && !text.isEmpty { text.append(9) }
        if let bytes { text.append(contentsOf: bytes) } else { text.append(contentsOf: "\\N".utf8) }
    }

    private mutating func begin() -> Int64 {
        encoding.reset(table: table)
        let seq = Int64(rows + 1)
        column(Array(String(nextID).utf8))
        column(premises)
        column(Array(String(seq).utf8))
        return seq
    }

    private static func timestamp(_ seconds: Int64) -> [UInt8] {
        var out = [UInt8]()
        append(timestamp: seconds, to: &out)
        return out
    }

    /// A night check: the columns of `ChainEncoding.columns["night_check"]`, the note empty.
    mutating func appendNightCheck(due: Int64, placement: [UInt8], observation: String, observed: Int64, recorded: Int64, by staff: [UInt8])
    {
        _ = begin()
        column(Self.timestamp(due))
        column(placement)
        column(Array(observation.utf8))
        column(Self.timestamp(observed))
        column(nil, copied: false)  // note
        column(Self.timestamp(recorded))
        column(staff)
        chain()
    }

    /// A sign-out or sign-in, recorded as it happened, without permission, correcting nothing: the
    /// columns of `ChainEncoding.columns["movement"]`.
    mutating func appendMovement(placement: [UInt8], kind: String, at: Int64, by staff: [UInt8], destination: String?, expectedBack: Int64?)
    {
        _ = begin()
        column(placement)
        column(Array(kind.utf8))
        column(Self.timestamp(at))
        column(Self.timestamp(at))  // recorded_at
        column(staff)
        column(destination.map { Array($0.utf8) })
        column(expectedBack.map(Self.timestamp))
        column(Array("f".utf8), copied: false)  // with_permission
        column(nil, copied: false)  // corrects_id
        column(nil, copied: false)  // correction_reason
        chain()
    }

    /// The chain's last two columns: the previous entry's hash and this one's, sha256(previous || content).
    private mutating func chain() {
        let hash = ChainEncoding.hash(previous: previous, encoding: encoding.bytes)
        text.append(9)
        if let previous { Self.append(bytea: previous, to: &text) } else { text.append(contentsOf: "\\N".utf8) }
        text.append(9)
        Self.append(bytea: hash, to: &text)
        text.append(10)
        previous = hash
        rows += 1
        nextID += 1
        if text.count >= 1 << 20 {
            chunks.append(String(decoding: text, as: UTF8.self))
            text.removeAll(keepingCapacity: true)
        }
    }

    /// The COPY text, in chunks of about a megabyte.
    mutating func finish() -> [String] {
        if !text.isEmpty { chunks.append(String(decoding: text, as: UTF8.self)) }
        text.removeAll()
        defer { chunks.removeAll() }
        return chunks
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A bytea in COPY text: `\\x` and hex (the backslash itself escaped for COPY).
    private static func append(bytea bytes: [UInt8], to out: inout [UInt8]) {
        out.append(contentsOf: "\\\\x".utf8)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
    }

    private static func append(integer value: Int64, to out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)
    }

    /// An instant in UTC as COPY reads a timestamptz: `2026-11-23 23:00:00+00`.
    private static func append(timestamp seconds: Int64, to out: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = CalendarDate(daysSinceEpoch: Int(days)).parts
        let second = Int(seconds - days * 86_400)
        func two(_ value: Int) {
            out.append(48 + UInt8(value / 10))
            out.append(48 + UInt8(value % 10))
        }
        two(year / 100)
        two(year % 100)
        out.append(45)
        two(month)
        out.append(45)
        two(day)
        out.append(32)
        two(second / 3600)
        out.append(58)
        two(second % 3600 / 60)
        out.append(58)
        two(second % 60)
        out.append(contentsOf: "+00".utf8)
    }
}
