import ApprovedPremises
import Crypto
import Foundation
import Postgres

/// Years of night checks and of the sign-out/sign-in log, loaded the way `pg_restore` loads a
/// dump: in bulk, with the tables' triggers off. Each entry's place in its premises' hash chain
/// and its hash are worked out here exactly as the chain triggers would work them out
/// (`chain_entry()` over `night_check_content`, migration 0009; `chain_movement()` over
/// `movement_content`, 0005), so the chains verify like any written one at a time (`ap verify`;
/// the seed's test checks them, and that every row's references hold).
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

    static let nightCheckColumns = ["premises_id", "chain_seq", "round_due_at", "placement_id", "observation", "observed_at", "recorded_at",
                                    "recorded_by", "previous_hash", "entry_hash"]
    static let movementColumns = ["premises_id", "chain_seq", "placement_id", "kind", "occurred_at", "recorded_at", "recorded_by", "destination",
                                  "expected_back", "previous_hash", "entry_hash"]

    /// The clock of one night at the seeded premises (Europe/London, curfew and hourly night checks
    /// 23:00-07:00), in seconds since 1970: worked out once per night, not once per resident.
    struct NightClock {
        var noon: Int64
        var curfew: Int64
        var rounds: [Int64]

        init(_ night: CalendarDate, in timeZone: TimeZone) {
            noon = Int64(CurfewRules.instant(night, WallClock(hour: 12, minute: 0), in: timeZone).timeIntervalSince1970)
            curfew = Int64(CurfewRules.instant(night, WallClock(hour: 23, minute: 0), in: timeZone).timeIntervalSince1970)
            rounds = NightCheckSchedule.dueTimes(night: night, start: WallClock(hour: 23, minute: 0), end: WallClock(hour: 7, minute: 0),
                                                 intervalMinutes: 60, in: timeZone).map { Int64($0.timeIntervalSince1970) }
        }
    }

    /// Writes every premises' night checks and outings over the whole history, premises by
    /// premises and in time order, generating the next premises while the last ones load. Needs
    /// a superuser connection (triggers off). Nothing is committed until every premises has
    /// loaded, so a failure leaves none of it behind.
    func loadChainedLogs(pool: PostgresPool, premises: [UUID], residents: [UUID: [SeededResident]], random: inout SeededGenerator,
                         progress: @Sendable (String) -> Void) async throws -> (nightChecks: Int, movements: Int) {
        var clocks = [CalendarDate: NightClock]()
        var totals = (nightChecks: 0, movements: 0)
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
                        var (checks, outings) = chainedLogs(at: premisesID, residents: residents[premisesID] ?? [], clocks: &clocks, random: &random)
                        let (checkText, outingText) = (checks.finish(), outings.finish())
                        totals.nightChecks += checks.rows
                        totals.movements += outings.rows
                        let lane = index % lanes.count
                        try await loading[lane]?.value
                        loading[lane] = Task { [connection = lanes[lane]] in
                            try await connection.copy(into: "night_check", columns: Self.nightCheckColumns, text: checkText)
                            try await connection.copy(into: "movement", columns: Self.movementColumns, text: outingText)
                        }
                        if index % 8 == 7 || index == premises.count - 1 {
                            progress("night checks and outings: \(index + 1) of \(premises.count) premises (\(totals.nightChecks + totals.movements) rows)")
                        }
                    }
                    for task in loading { try await task?.value }
                } catch {
                    for task in loading { _ = try? await task?.value }
                    for lane in lanes { _ = try? await lane.execute("ROLLBACK") }
                    throw error
                }
                for lane in lanes { try await lane.execute("COMMIT") }
            }
        }
        return totals
    }

    /// One premises' night checks and outings over its residents' nights, in the order they are
    /// chained.
    func chainedLogs(at premisesID: UUID, residents: [SeededResident], clocks: inout [CalendarDate: NightClock],
                     random: inout SeededGenerator) -> (checks: ChainedCopyText, outings: ChainedCopyText) {
        let london = Premises.defaultTimeZone
        var checks = ChainedCopyText(premises: premisesID)
        var outings = ChainedCopyText(premises: premisesID)
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
                    let out = clock.noon + Int64(Int.random(in: -2...7, using: &random)) * 3600 + Int64(Int.random(in: 0...59, using: &random)) * 60
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
                outings.appendMovement(placement: entry.id, kind: movement.kind, at: movement.at, by: entry.keyWorker,
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
                    observations.append((recordedLate.map { due + $0 } ?? observed, due, observations.count, position, observed, observation))
                }
            }
            observations.sort { ($0.recorded, $0.due, $0.order) < ($1.recorded, $1.due, $1.order) }
            for check in observations {
                let entry = active[check.resident]
                checks.appendNightCheck(due: check.due, placement: entry.id, observation: check.observation, observed: check.observed,
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

private extension UUID {
    /// As PostgreSQL prints a uuid.
    var lowercased: String { uuidString.lowercased() }
}

/// One premises' rows of a hash-chained log as COPY text, each given its place in the chain and
/// its hash as it is appended.
struct ChainedCopyText {
    private let premises: [UInt8]
    private var previous: [UInt8]? = nil
    private(set) var rows = 0
    private var text = [UInt8]()
    private var content = [UInt8]()
    private var chunks = [String]()

    init(premises: UUID) {
        self.premises = Array(premises.uuidString.lowercased().utf8)
        text.reserveCapacity(1 << 20 + 4_096)
    }

    /// A night check; its hash covers `night_check_content(n)`: `json_build_array(premises_id,
    /// chain_seq, epoch(round_due_at), placement_id, observation, epoch(observed_at), note,
    /// epoch(recorded_at), recorded_by)::text`.
    mutating func appendNightCheck(due: Int64, placement: [UInt8], observation: String, observed: Int64, recorded: Int64, by staff: [UInt8]) {
        let seq = rows + 1
        content.removeAll(keepingCapacity: true)
        content.append(contentsOf: "[\"".utf8)
        content.append(contentsOf: premises)
        content.append(contentsOf: "\", ".utf8)
        Self.append(integer: Int64(seq), to: &content)
        content.append(contentsOf: ", ".utf8)
        Self.append(epoch: due, to: &content)
        content.append(contentsOf: ", \"".utf8)
        content.append(contentsOf: placement)
        content.append(contentsOf: "\", \"".utf8)
        content.append(contentsOf: observation.utf8)
        content.append(contentsOf: "\", ".utf8)
        Self.append(epoch: observed, to: &content)
        content.append(contentsOf: ", null, ".utf8)
        Self.append(epoch: recorded, to: &content)
        content.append(contentsOf: ", \"".utf8)
        content.append(contentsOf: staff)
        content.append(contentsOf: "\"]".utf8)

        text.append(contentsOf: premises)
        text.append(9)
        Self.append(integer: Int64(seq), to: &text)
        text.append(9)
        Self.append(timestamp: due, to: &text)
        text.append(9)
        text.append(contentsOf: placement)
        text.append(9)
        text.append(contentsOf: observation.utf8)
        text.append(9)
        Self.append(timestamp: observed, to: &text)
        text.append(9)
        Self.append(timestamp: recorded, to: &text)
        text.append(9)
        text.append(contentsOf: staff)
        chain()
    }

    /// A sign-out or sign-in; its hash covers `movement_content(m)`: premises, place, placement,
    /// kind, epoch(occurred_at), epoch(recorded_at), recorded_by, destination, epoch(expected_back),
    /// with_permission, corrects_id and correction_reason joined by `|`.
    mutating func appendMovement(placement: [UInt8], kind: String, at: Int64, by staff: [UInt8], destination: String?, expectedBack: Int64?) {
        let seq = rows + 1
        content.removeAll(keepingCapacity: true)
        content.append(contentsOf: premises)
        content.append(124)
        Self.append(integer: Int64(seq), to: &content)
        content.append(124)
        content.append(contentsOf: placement)
        content.append(124)
        content.append(contentsOf: kind.utf8)
        content.append(124)
        Self.append(epoch: at, to: &content)
        content.append(124)
        Self.append(epoch: at, to: &content)
        content.append(124)
        content.append(contentsOf: staff)
        content.append(124)
        if let destination { content.append(contentsOf: destination.utf8) }
        content.append(124)
        if let expectedBack { Self.append(epoch: expectedBack, to: &content) }
        content.append(contentsOf: "|false||".utf8)

        text.append(contentsOf: premises)
        text.append(9)
        Self.append(integer: Int64(seq), to: &text)
        text.append(9)
        text.append(contentsOf: placement)
        text.append(9)
        text.append(contentsOf: kind.utf8)
        text.append(9)
        Self.append(timestamp: at, to: &text)
        text.append(9)
        Self.append(timestamp: at, to: &text)
        text.append(9)
        text.append(contentsOf: staff)
        text.append(9)
        if let destination { text.append(contentsOf: destination.utf8) } else { text.append(contentsOf: "\\N".utf8) }
        text.append(9)
        if let expectedBack { Self.append(timestamp: expectedBack, to: &text) } else { text.append(contentsOf: "\\N".utf8) }
        chain()
    }

    /// The chain's last two columns: the previous entry's hash and this one's, sha256(previous || content).
    private mutating func chain() {
        var hasher = SHA256()
        if let previous { hasher.update(data: previous) }
        hasher.update(data: content)
        let hash = Array(hasher.finalize())
        text.append(9)
        if let previous { Self.append(bytea: previous, to: &text) } else { text.append(contentsOf: "\\N".utf8) }
        text.append(9)
        Self.append(bytea: hash, to: &text)
        text.append(10)
        previous = hash
        rows += 1
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

    /// A whole second as `extract(epoch FROM t)::text` prints it: `1795474800.000000`.
    private static func append(epoch seconds: Int64, to out: inout [UInt8]) {
        append(integer: seconds, to: &out)
        out.append(contentsOf: ".000000".utf8)
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
