import Foundation
import Postgres

/// A link of a premises' chain that does not hold.
public struct ChainProblem: Sendable, Equatable, Codable {
    /// The log: `curfew_log`, `night_checks` or `incidents`.
    public var log: String
    public var entryID: Int64
    public var chainSeq: Int64
    public var problem: String
}

/// What checking a premises' logs found.
public struct ChainReport: Sendable, Equatable, Codable {
    /// Entries checked, per log.
    public var entries: [String: Int]
    public var problems: [ChainProblem]

    public var totalEntries: Int { entries.values.reduce(0, +) }
}

/// The premises' hash-chained logs and their checking: each entry carries a hash over its
/// content (`ChainEncoding`: its id, place and every column that gives it its meaning) and the
/// previous entry's hash, given by a trigger as it is written, so an entry changed, removed,
/// swapped or slipped in directly in the database breaks its chain. Checking recomputes every
/// hash here, in Swift, from the rows as read: it trusts none of the database's own code.
public struct LogChainStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who checks the logs: managers and the regional managers who oversee them.
    public static let verifiers: Set<Role> = [.administrator, .apManager, .regionalManager]

    /// Each chained log: its name in reports and its table.
    public static let logs: [(name: String, table: String)] = [
        ("curfew_log", "movement"), ("night_checks", "night_check"), ("incidents", "incident"),
    ]

    /// Checks every chain of a premises: each entry's hash over its content and the previous
    /// hash, in an unbroken sequence, recorded in order. Names each entry changed, removed,
    /// inserted out of order or back-dated.
    public func verify(premisesID: UUID, by principal: Principal) async throws -> ChainReport {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Self.verifiers, to: "verify the logs", premisesID: premisesID, on: connection)
            var report = ChainReport(entries: [:], problems: [])
            for log in Self.logs {
                let entries = try await Self.entries(of: log.table, premisesID: premisesID, on: connection)
                report.entries[log.name] = entries.count
                report.problems += Self.problems(in: entries, log: log.name)
            }
            return report
        }
    }

    /// One entry of a chain as read: the text of each column its hash covers, and its links.
    public struct Entry: Sendable {
        public var id: Int64
        public var chainSeq: Int64
        public var recordedAt: Date
        public var encoding: [UInt8]
        public var previousHash: [UInt8]?
        public var entryHash: [UInt8]
    }

    /// Every entry of a premises' chain in `table`, in chain order, each column read as text.
    static func entries(of table: String, premisesID: UUID, on connection: PostgresConnection) async throws -> [Entry] {
        guard let columns = ChainEncoding.columns[table] else { return [] }
        // The table and column names are the constants of ChainEncoding, never input.
        let rows = try await connection.query("""
            SELECT \(unsafeSQL: columns.map { "e.\($0) AS c_\($0)" }.joined(separator: ", ")), e.recorded_at,
                   encode(e.previous_hash, 'hex') AS previous_hex, encode(e.entry_hash, 'hex') AS entry_hex
            FROM \(unsafeSQL: table) e WHERE e.premises_id = \(premisesID) ORDER BY e.chain_seq
            """)
        var builder = ChainEncoding.Builder(table: table)
        return try rows.map { row in
            builder.reset(table: table)
            for column in columns { builder.field(try row.decode("c_" + column, as: String?.self)) }
            let previous: String? = try row.decode("previous_hex")
            return Entry(id: try row.decode("c_id"), chainSeq: try row.decode("c_chain_seq"), recordedAt: try row.decode("recorded_at"),
                         encoding: builder.bytes, previousHash: previous.flatMap(ChainEncoding.bytes(hex:)),
                         entryHash: ChainEncoding.bytes(hex: try row.decode("entry_hex")) ?? [])
        }
    }

    /// What does not hold in one chain (entries in chain order).
    static func problems(in entries: [Entry], log: String) -> [ChainProblem] {
        var problems = [ChainProblem]()
        var before: Entry?
        for entry in entries {
            func problem(_ text: String) { problems.append(ChainProblem(log: log, entryID: entry.id, chainSeq: entry.chainSeq, problem: text)) }
            if entry.chainSeq != (before?.chainSeq ?? 0) + 1 {
                problem("entries before this one are missing: the chain skips to \(entry.chainSeq)")
            }
            if ChainEncoding.hash(previous: entry.previousHash, encoding: entry.encoding) != entry.entryHash {
                problem("this entry was changed after it was recorded")
            }
            if entry.previousHash != before?.entryHash {
                problem("this entry does not follow the one before it: an entry was removed or inserted out of order")
            }
            if let before, entry.recordedAt < before.recordedAt {
                problem("this entry is recorded before the one before it: it was back-dated, or the log's order was changed")
            }
            before = entry
        }
        return problems
    }
}
