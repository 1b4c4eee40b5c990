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
/// content and the previous entry's hash, given by a trigger as it is written, so an entry
/// changed, removed or slipped in directly in the database breaks its chain.
public struct LogChainStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who checks the logs: managers and the regional managers who oversee them.
    public static let verifiers: Set<Role> = [.administrator, .apManager, .regionalManager]

    /// Each chained log: its name in reports and its table (whose content function is
    /// `<table>_content`).
    public static let logs: [(name: String, table: String)] = [
        ("curfew_log", "movement"), ("night_checks", "night_check"), ("incidents", "incident"),
    ]

    /// Checks every chain of a premises: each entry's hash over its content and the previous
    /// hash, in an unbroken sequence. Names each entry changed, removed or inserted out of order.
    public func verify(premisesID: UUID, by principal: Principal) async throws -> ChainReport {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Self.verifiers, to: "verify the logs", premisesID: premisesID, on: connection)
            var report = ChainReport(entries: [:], problems: [])
            for log in Self.logs {
                // The table names are the constants above, never input.
                let rows = try await connection.query("""
                    SELECT e.id, e.chain_seq,
                           e.entry_hash = sha256(coalesce(e.previous_hash, '\\x'::bytea) || convert_to(\(unsafeSQL: log.table)_content(e), 'UTF8')) AS content_holds,
                           e.previous_hash IS NOT DISTINCT FROM lag(e.entry_hash) OVER w AS link_holds,
                           e.chain_seq = coalesce(lag(e.chain_seq) OVER w, 0) + 1 AS sequence_holds
                    FROM \(unsafeSQL: log.table) e WHERE e.premises_id = \(premisesID)
                    WINDOW w AS (ORDER BY e.chain_seq)
                    ORDER BY e.chain_seq
                    """)
                report.entries[log.name] = rows.count
                for row in rows {
                    let id: Int64 = try row.decode("id")
                    let seq: Int64 = try row.decode("chain_seq")
                    func problem(_ text: String) { report.problems.append(ChainProblem(log: log.name, entryID: id, chainSeq: seq, problem: text)) }
                    if !(try row.decode("sequence_holds", as: Bool.self)) {
                        problem("entries before this one are missing: the chain skips to \(seq)")
                    }
                    if !(try row.decode("content_holds", as: Bool.self)) {
                        problem("this entry was changed after it was recorded")
                    }
                    if !(try row.decode("link_holds", as: Bool.self)) {
                        problem("this entry does not follow the one before it: an entry was removed or inserted out of order")
                    }
                }
            }
            return report
        }
    }
}
