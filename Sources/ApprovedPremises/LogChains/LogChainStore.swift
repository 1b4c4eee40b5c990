import Foundation
import Postgres

/// Something that does not hold: an entry of a chain, or a checkpoint, or the chain against one.
public struct ChainProblem: Sendable, Equatable, Codable {
    /// The log: `curfew_log`, `night_checks`, `incidents`, `audit_log`, or `checkpoints`.
    public var log: String
    /// The entry it is about, when it is about one.
    public var entryID: Int64?
    public var chainSeq: Int64?
    public var problem: String

    public init(log: String, entryID: Int64? = nil, chainSeq: Int64? = nil, problem: String) {
        self.log = log
        self.entryID = entryID
        self.chainSeq = chainSeq
        self.problem = problem
    }
}

/// What checking a premises' logs (or the national audit log) found.
public struct ChainReport: Sendable, Equatable, Codable {
    /// Entries checked, per log.
    public var entries: [String: Int]
    public var problems: [ChainProblem]
    /// Signed checkpoints (or receipts) the chains were held to.
    public var checkpoints: Int = 0
    /// When the latest of them was taken.
    public var lastCheckpoint: Date?
    /// What checking could not establish, in words (entries newer than the last checkpoint).
    public var notEstablished: [String] = []
    /// Whose key signed the receipt checked, in words (nil when no receipt was).
    public var receiptKey: String?
    /// Witnessed checkpoints the chains were held to (nil when no witness was given).
    public var witnessed: Int?

    public var totalEntries: Int { entries.values.reduce(0, +) }
}

/// The hash-chained logs and their checking: each entry of a premises' curfew log, night checks,
/// incident log and audit log (and of the national audit log) carries a hash over its content
/// (`ChainEncoding`: its id, place and every column that gives it its meaning) and the previous
/// entry's hash, given by a trigger as it is written, so an entry changed, removed, swapped or
/// slipped in directly in the database breaks its chain. Checking recomputes every hash here, in
/// Swift, from the rows as read: it trusts none of the database's own code. The chains are then
/// held to the signed checkpoints kept outside the database (`LogChainStore+Checkpoints`), which
/// is what catches a chain cut short or rewritten with every later hash recomputed.
public struct LogChainStore: Sendable {
    let pool: PostgresPool
    let checkpoints: CheckpointSettings

    /// A store over the pool, keeping checkpoints as `checkpoints` says.
    public init(pool: PostgresPool, checkpoints: CheckpointSettings = .none) {
        self.pool = pool
        self.checkpoints = checkpoints
    }

    /// Who checks the logs: managers and the regional managers who oversee them.
    public static let verifiers: Set<Role> = [.administrator, .apManager, .regionalManager]

    /// Each chained log of a premises: its name in reports and its table.
    public static let logs: [(name: String, table: String)] = [
        ("curfew_log", "movement"), ("night_checks", "night_check"), ("incidents", "incident"), ("audit_log", "audit_event"),
    ]

    /// Names the member of staff a transaction records for: the chain triggers take `recorded_by`
    /// from it (and refuse an entry when nobody is named), never from the row inserted.
    public static func record(as principal: Principal, on connection: PostgresConnection) async throws {
        try await connection.execute("SELECT set_config('ap.staff_id', \(principal.staffID.uuidString.lowercased()), true)")
    }

    /// The same naming as a row source for an `INSERT … SELECT … FROM (naming) AS recorder`: the
    /// setting is made as the row is produced, before the chain trigger reads it, so a chained
    /// insert can name its recorder without a statement of its own (the sign-out's hot path).
    /// It lasts to the end of the transaction, as `record` does.
    public static func naming(_ principal: Principal) -> SQL {
        "(SELECT set_config('ap.staff_id', \(principal.staffID.uuidString.lowercased()), true))"
    }

    /// Checks every chain of a premises, each entry's hash over its content and the previous
    /// hash in an unbroken sequence recorded in order, and then the chains against every signed
    /// checkpoint of the premises. Names each entry changed, removed, inserted out of order or
    /// back-dated, and each checkpoint the chains no longer agree with.
    public func verify(premisesID: UUID, by principal: Principal) async throws -> ChainReport {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Self.verifiers, to: "verify the logs", premisesID: premisesID, on: connection)
            var chains = [String: [Entry]]()
            for log in Self.logs { chains[log.name] = try await Self.entries(of: log.table, premisesID: premisesID, on: connection) }
            return try check(chains, premisesID: premisesID, against: Evidence())
        }
    }

    /// Checks the national audit log (the changes of staff who belong to no premises, and the
    /// service's own): for administrators.
    public func verifyNational(by principal: Principal) async throws -> ChainReport {
        try principal.require([.administrator], to: "verify the national audit log")
        return try await pool.withConnection { connection in
            let chains = ["audit_log": try await Self.entries(of: "audit_event", premisesID: nil, on: connection)]
            return try check(chains, premisesID: nil, against: Evidence())
        }
    }

    /// The chains' own checks, then the checkpoints' (or the one receipt's), and the witness's.
    func check(_ chains: [String: [Entry]], premisesID: UUID?, against evidence: Evidence) throws -> ChainReport {
        var report = ChainReport(entries: chains.mapValues(\.count), problems: [])
        for log in Self.logs.map(\.name) {
            if let entries = chains[log] { report.problems += Self.problems(in: entries, log: log) }
        }
        try hold(chains, premisesID: premisesID, to: evidence, in: &report)
        let erased = chains.values.joined().filter(\.erasedBeforeSealing).count
        if erased > 0 {
            report.notEstablished.append(
                "\(erased) entries written before the sealed encoding (migration 0026) were erased under the retention schedule: "
                    + "their place in the chain and the checkpoints over them hold, but their content can no longer be recomputed")
        }
        return report
    }

    /// One entry of a chain as read: the text of each column its hash covers, and its links.
    public struct Entry: Sendable {
        public var id: Int64
        public var chainSeq: Int64
        public var recordedAt: Date
        public var encoding: [UInt8]
        public var previousHash: [UInt8]?
        public var entryHash: [UInt8]
        /// What does not hold between a sealed field, its salt and its commitment (v3).
        public var sealProblem: String? = nil
        /// A v2 entry whose personal fields were erased: its hash can no longer be recomputed.
        public var erasedBeforeSealing = false
    }

    /// What names an entry's chain in `table`, as its unique index on (chain, sequence) has it:
    /// the audit log's national chain has no premises, so it is keyed by `nationalChain`.
    static func chainKey(_ table: String) -> String {
        table == "audit_event" ? "coalesce(e.premises_id, '00000000-0000-0000-0000-000000000000'::uuid)" : "e.premises_id"
    }

    /// The key of the national audit chain (migration 0017's index).
    static let nationalChain = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    /// The column of each table that says when its entry was recorded.
    static func recordedColumn(_ table: String) -> String { table == "audit_event" ? "occurred_at" : "recorded_at" }

    /// Every entry of a premises' chain in `table` (the national audit chain when `premisesID`
    /// is nil), in chain order, each column read as text.
    static func entries(of table: String, premisesID: UUID?, on connection: PostgresConnection) async throws -> [Entry] {
        guard let columns = ChainEncoding.columns[table] else { return [] }
        // The table and column names are the constants of ChainEncoding, never input.
        let chain: SQL = "\(unsafeSQL: chainKey(table)) = \(premisesID ?? nationalChain)"
        let rows = try await connection.query(
            """
            SELECT \(unsafeSQL: columns.map { "e.\($0) AS c_\($0)" }.joined(separator: ", ")), e.\(unsafeSQL: recordedColumn(table)) AS recorded,
                   e.id AS entry_id, e.chain_seq AS entry_seq,
                   encode(e.previous_hash, 'hex') AS previous_hex, encode(e.entry_hash, 'hex') AS entry_hex,
                   e.salts::text AS seal_salts, e.commitments::text AS seal_commitments, e.erased_at IS NOT NULL AS seal_erased
            FROM \(unsafeSQL: table) e WHERE \(chain) ORDER BY e.chain_seq
            """)
        let sealed = ChainEncoding.sealed[table] ?? []
        var builder = ChainEncoding.Builder(table: table)
        var entries = [Entry]()
        entries.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            // Years of a premises' log are seconds of decoding: let the service's other
            // requests run on this thread between stretches of it.
            if index % 10_000 == 9_999 { await Task.yield() }
            let previous: String? = try row.decode("previous_hex")
            let hash: String? = try row.decode("entry_hex")
            var entry = Entry(
                id: try row.decode("entry_id"), chainSeq: try row.decode("entry_seq"), recordedAt: try row.decode("recorded"),
                encoding: [], previousHash: previous.flatMap(ChainEncoding.bytes(hex:)),
                entryHash: hash.flatMap(ChainEncoding.bytes(hex:)) ?? [])
            if let commitments = try row.decode("seal_commitments", as: String?.self) {
                let salts = try row.decode("seal_salts", as: String?.self)
                builder.reset(table: table, version: ChainEncoding.sealedVersion)
                entry.sealProblem = try Self.sealedFields(
                    of: row, columns: columns, sealed: sealed, commitments: Self.hexes(commitments), salts: Self.hexes(salts ?? "{}"),
                    into: &builder)
            } else {
                builder.reset(table: table)
                for column in columns { builder.field(try row.decode("c_" + column, as: String?.self)) }
                entry.erasedBeforeSealing = try row.decode("seal_erased")
            }
            entry.encoding = builder.bytes
            entries.append(entry)
        }
        return entries
    }

    /// A v3 entry's fields into `builder`, each sealed one as its commitment; and what does not
    /// hold between a sealed field, its salt and its commitment, if anything. A field whose salt
    /// is gone was erased, and may hold nothing but what erasure leaves.
    static func sealedFields(
        of row: PostgresRow, columns: [String], sealed: Set<String>, commitments: [String: String], salts: [String: String],
        into builder: inout ChainEncoding.Builder
    ) throws -> String? {
        var problem: String?
        for column in columns {
            let value = try row.decode("c_" + column, as: String?.self)
            guard sealed.contains(column) else {
                builder.field(value)
                continue
            }
            let commitment = commitments[column]
            builder.field(commitment)
            switch (commitment, salts[column].flatMap(ChainEncoding.bytes(hex:))) {
            case (nil, _):
                if value != nil { problem = "\(column) was filled in after the entry was recorded" }
            case (let commitment?, let salt?):
                if value.map({ ChainEncoding.hex(ChainEncoding.commitment(salt: salt, text: $0)) }) != commitment {
                    problem = "this entry's \(column) was changed after it was recorded"
                }
            case (_?, nil):
                if !ChainEncoding.erasedValues.contains(value) { problem = "this entry's \(column) was written again after it was erased" }
            }
        }
        return problem
    }

    /// A JSON object of strings (the salts or commitments), as the database prints it: read by
    /// hand in the form jsonb prints (`{"note": "9f…", "summary": "04…"}`, column names and hex
    /// digits only), as verify reads it for every entry; anything else through the JSON decoder.
    static func hexes(_ json: String) throws -> [String: String] {
        var found = [String: String]()
        let body = json.utf8.dropFirst().dropLast()
        guard json.hasPrefix("{"), json.hasSuffix("}") else {
            return try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        }
        for pair in String(decoding: body, as: UTF8.self).split(separator: ", ", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: ": ", maxSplits: 1)
            guard parts.count == 2, parts[0].count > 2, parts[1].count >= 2, parts[0].first == "\"", parts[0].last == "\"",
                parts[1].first == "\"", parts[1].last == "\"", !parts[0].dropFirst().dropLast().contains("\\"),
                parts[1].dropFirst().dropLast().allSatisfy(\.isHexDigit)
            else { return try JSONDecoder().decode([String: String].self, from: Data(json.utf8)) }
            found[String(parts[0].dropFirst().dropLast())] = String(parts[1].dropFirst().dropLast())
        }
        return found
    }

    /// What does not hold in one chain (entries in chain order).
    static func problems(in entries: [Entry], log: String) -> [ChainProblem] {
        var problems = [ChainProblem]()
        var before: Entry?
        for entry in entries {
            func problem(_ text: String) {
                problems.append(ChainProblem(log: log, entryID: entry.id, chainSeq: entry.chainSeq, problem: text))
            }
            if entry.chainSeq != (before?.chainSeq ?? 0) + 1 {
                problem("entries are missing before this one: the chain goes from #\(before?.chainSeq ?? 0) to #\(entry.chainSeq)")
            }
            if !entry.erasedBeforeSealing && ChainEncoding.hash(previous: entry.previousHash, encoding: entry.encoding) != entry.entryHash {
                problem("this entry was changed after it was recorded")
            }
            if let sealProblem = entry.sealProblem { problem(sealProblem) }
            if entry.previousHash != before?.entryHash {
                problem("this entry does not follow the one before it: an entry was removed, or inserted out of order")
            }
            if let before, entry.recordedAt < before.recordedAt {
                problem("this entry is recorded before the one before it: it was back-dated, or the log's order was changed")
            }
            before = entry
        }
        return problems
    }
}
