import Foundation
import Postgres

/// Checkpoints: the heads of the chains, signed and kept outside the database, and the chains
/// held to them. A chain that agrees with its own hashes can still have been cut short or
/// rewritten with every later hash recomputed; it cannot also agree with a checkpoint signed
/// before the change with a key the database never held.
extension LogChainStore {
    /// The heads of every chain of every premises, and of the national audit chain (nil).
    static func heads(on connection: PostgresConnection) async throws -> [(premisesID: UUID?, code: String?, heads: [Checkpoint.Head])] {
        func lateral(_ table: String, _ alias: String) -> String {
            "LEFT JOIN LATERAL (SELECT e.chain_seq, encode(e.entry_hash, 'hex') AS hash FROM \(table) e WHERE \(chainKey(table)) = p.id ORDER BY e.chain_seq DESC LIMIT 1) \(alias) ON true"
        }
        // The table names are the constants of `logs`, never input.
        let rows = try await connection.query(
            """
            SELECT p.id, p.code, \(unsafeSQL: logs.indices.map { "t\($0).chain_seq AS seq_\($0), t\($0).hash AS hash_\($0)" }.joined(separator: ", "))
            FROM premises p \(unsafeSQL: logs.enumerated().map { lateral($0.element.table, "t\($0.offset)") }.joined(separator: " "))
            ORDER BY p.code
            """)
        var all = try rows.map { row in
            (
                premisesID: Optional(try row.decode("id", as: UUID.self)), code: Optional(try row.decode("code", as: String.self)),
                heads: try logs.indices.map {
                    Checkpoint.Head(
                        log: logs[$0].name, seq: try row.decode("seq_\($0)", as: Int64?.self) ?? 0,
                        hash: try row.decode("hash_\($0)", as: String?.self))
                }
            )
        }
        let national = try await connection.first(
            """
            SELECT e.chain_seq, encode(e.entry_hash, 'hex') AS hash FROM audit_event e
            WHERE \(unsafeSQL: chainKey("audit_event")) = \(nationalChain) ORDER BY e.chain_seq DESC LIMIT 1
            """)
        all.append(
            (
                premisesID: nil, code: nil,
                heads: [
                    Checkpoint.Head(
                        log: "audit_log", seq: try national?.decode("chain_seq", as: Int64.self) ?? 0,
                        hash: try national?.decode("hash", as: String.self))
                ]
            ))
        return all
    }

    /// Signs and appends a checkpoint of every chain that has moved since this store last wrote
    /// one (all of them the first time, and `premisesID`'s whatever it did, as at a handover).
    /// Returns how many were written; nothing when no key and folder are configured.
    @discardableResult
    public func checkpoint(now: Date = Date(), premisesID forced: UUID? = nil) async throws -> Int {
        guard let key = checkpoints.key, let folder = checkpoints.folder else { return 0 }
        let chains = try await pool.withConnection { try await Self.heads(on: $0) }
        var written = 0
        for chain in chains {
            let name = chain.premisesID?.uuidString ?? "national"
            guard chain.premisesID == forced && forced != nil || checkpoints.memory.moved(name, chain.heads) else { continue }
            try folder.append(try key.sign(at: now, premisesID: chain.premisesID, premisesCode: chain.code, heads: chain.heads), on: now)
            checkpoints.memory.wrote(name, chain.heads)
            written += 1
        }
        return written
    }

    /// The latest signed checkpoint of a premises (nil: the national audit log's), to keep as a
    /// receipt.
    public func receipt(premisesID: UUID?, by principal: Principal) async throws -> Checkpoint {
        if let premisesID {
            try await pool.withConnection {
                try await PremisesAccess.require(principal, Self.verifiers, to: "take a receipt", premisesID: premisesID, on: $0)
            }
        } else {
            try principal.require([.administrator], to: "take a receipt of the national audit log")
        }
        guard let folder = checkpoints.folder else {
            throw DomainError(.conflict, "this service keeps no checkpoints (AP_CHECKPOINT_DIR is not set), so there is no receipt to take")
        }
        let wanted = premisesID?.uuidString.lowercased()
        // The latest of its checkpoints that this service signed (a line changed since, or signed with another key, is no receipt).
        let signed = { (checkpoint: Checkpoint) in checkpoint.premisesID == wanted && checkpoints.key?.signed(checkpoint) ?? true }
        guard let latest = try folder.lines().reversed().lazy.compactMap({ try? Checkpoint.decode($0.text) }).first(where: signed) else {
            throw DomainError(.conflict, "no checkpoint has been taken of these logs yet: try again after the next one")
        }
        return latest
    }

    /// Holds a premises' chains (or the national audit chain) to one receipt kept elsewhere.
    public func check(receipt: Checkpoint, by principal: Principal) async throws -> ChainReport {
        guard let premises = receipt.premisesID else {
            try principal.require([.administrator], to: "check a receipt of the national audit log")
            return try await pool.withConnection { connection in
                try check(
                    ["audit_log": try await Self.entries(of: "audit_event", premisesID: nil, on: connection)], premisesID: nil,
                    against: receipt)
            }
        }
        guard let premisesID = UUID(uuidString: premises) else {
            throw DomainError.invalid(field: "premisesId", rule: "uuid", "the receipt's premisesId is not an id")
        }
        return try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Self.verifiers, to: "check a receipt", premisesID: premisesID, on: connection)
            var chains = [String: [Entry]]()
            for log in Self.logs { chains[log.name] = try await Self.entries(of: log.table, premisesID: premisesID, on: connection) }
            return try check(chains, premisesID: premisesID, against: receipt)
        }
    }

    /// Holds the chains to every checkpoint of theirs in the folder (or to the one receipt):
    /// each must be signed by this service's key, each (sequence, hash) it saw must still be in
    /// its chain, and each chain must be at least as long as it was.
    func hold(_ chains: [String: [Entry]], premisesID: UUID?, to receipt: Checkpoint?, in report: inout ChainReport) throws {
        guard let key = checkpoints.key else {
            report.notEstablished.append(
                "this service has no signing key (AP_SIGNING_KEY_FILE), so the logs were not held to any checkpoint: a chain cut short, or rewritten with every later hash recomputed, would not be found"
            )
            return
        }
        var signed = [(checkpoint: Checkpoint, at: Date, place: String)]()
        if let receipt {
            signed.append((receipt, receipt.date ?? .distantPast, "the receipt"))
        } else if let folder = checkpoints.folder {
            let wanted = premisesID?.uuidString.lowercased()
            for line in try folder.lines() {
                guard let checkpoint = try? Checkpoint.decode(line.text) else {
                    report.problems.append(
                        ChainProblem(
                            log: "checkpoints",
                            problem: "\(line.file) line \(line.number) is not a checkpoint any more: the folder was changed"))
                    continue
                }
                if checkpoint.premisesID == wanted {
                    signed.append((checkpoint, checkpoint.date ?? .distantPast, "\(line.file) line \(line.number)"))
                }
            }
        }
        let zone = Premises.defaultTimeZone
        func when(_ date: Date) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
            return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
        }
        var covered = [String: (seq: Int64, at: Date)]()
        var missing = [String: ChainProblem]()
        var rewritten = [String: ChainProblem]()
        for (checkpoint, at, place) in signed {
            guard key.signed(checkpoint) else {
                let other =
                    checkpoint.key != key.publicKey
                    ? ": it was signed with another key (\(checkpoint.key.prefix(12))…, not this service's \(key.publicKey.prefix(12))…)"
                    : ": the line was changed after it was signed"
                report.problems.append(
                    ChainProblem(log: "checkpoints", problem: "the checkpoint of \(when(at)) (\(place)) has an invalid signature\(other)"))
                continue
            }
            report.checkpoints += 1
            report.lastCheckpoint = max(report.lastCheckpoint ?? at, at)
            for head in checkpoint.heads {
                guard let entries = chains[head.log] else { continue }
                if (covered[head.log]?.seq ?? -1) <= head.seq { covered[head.log] = (head.seq, at) }
                guard head.seq > 0 else { continue }
                let last = entries.last?.chainSeq ?? 0
                if last < head.seq {
                    if missing[head.log].map({ ($0.chainSeq ?? 0) < head.seq }) ?? true {
                        missing[head.log] = ChainProblem(
                            log: head.log,
                            problem: "entries are missing after #\(last): the checkpoint of \(when(at)) saw the chain reach #\(head.seq)")
                    }
                } else if let entry = entries.first(where: { $0.chainSeq == head.seq }), ChainEncoding.hex(entry.entryHash) != head.hash,
                    rewritten[head.log] == nil
                {
                    rewritten[head.log] = ChainProblem(
                        log: head.log, entryID: entry.id, chainSeq: head.seq,
                        problem:
                            "the chain was rewritten before the checkpoint of \(when(at)): #\(head.seq) is not the entry that checkpoint signed"
                    )
                }
            }
        }
        report.problems += rewritten.values.sorted { $0.log < $1.log } + missing.values.sorted { $0.log < $1.log }
        let names = ["curfew_log": "curfew log", "night_checks": "night checks", "incidents": "incident log", "audit_log": "audit log"]
        for log in Self.logs.map(\.name) {
            guard let entries = chains[log], let last = entries.last?.chainSeq else { continue }
            let name = names[log] ?? log
            if let covered = covered[log] {
                if last > covered.seq {
                    let newer = last - covered.seq
                    let which = newer == 1 ? "1 \(name) entry (#\(last))" : "\(newer) \(name) entries (#\(covered.seq + 1) to #\(last))"
                    report.notEstablished.append(
                        "\(which) came after the last checkpoint (\(when(covered.at))): only the chain vouches for \(newer == 1 ? "it" : "them"), so a change to \(newer == 1 ? "it" : "them") with every later hash recomputed would not be found"
                    )
                }
            } else {
                report.notEstablished.append(
                    "no signed checkpoint covers the \(name) (\(last) entr\(last == 1 ? "y" : "ies")): only the chain vouches for it")
            }
        }
    }
}

/// What a store last checkpointed of each chain, so that only chains that moved are written.
public final class CheckpointMemory: @unchecked Sendable {
    // Unchecked: every access holds the lock.
    private let lock = NSLock()
    private var last = [String: [Checkpoint.Head]]()

    public init() {}

    func moved(_ chain: String, _ heads: [Checkpoint.Head]) -> Bool {
        lock.withLock { last[chain] != heads }
    }

    func wrote(_ chain: String, _ heads: [Checkpoint.Head]) {
        lock.withLock { last[chain] = heads }
    }
}
