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
    /// one (all of them the first time, and `premisesID`'s whatever it did, as at a handover),
    /// to the folder and to the witness folder; at a handover, the premises' checkpoint is also
    /// e-mailed to the witness. The key is the key file as it reads now; the first time a
    /// folder is written to, the key is listed as the service's first (`keys.jsonl`).
    /// Returns how many were written; nothing when no key and folder are configured.
    @discardableResult
    public func checkpoint(now: Date = Date(), premisesID forced: UUID? = nil) async throws -> Int {
        guard let key = checkpoints.currentKey(), let folder = checkpoints.folder else { return 0 }
        let chains = try await pool.withConnection { try await Self.heads(on: $0) }
        for place in [folder] + (checkpoints.witnessFolder.map { [$0] } ?? []) where place.keyRecords().records.isEmpty {
            try place.append(try KeyRecord.introducing(key, replacing: nil, at: now))
        }
        var written = [Checkpoint]()
        for chain in chains {
            let name = chain.premisesID?.uuidString ?? "national"
            guard chain.premisesID == forced && forced != nil || checkpoints.memory.moved(name, chain.heads) else { continue }
            let checkpoint = try key.sign(at: now, premisesID: chain.premisesID, premisesCode: chain.code, heads: chain.heads)
            try folder.append(checkpoint, on: now)
            try checkpoints.witnessFolder?.append(checkpoint, on: now)
            checkpoints.memory.wrote(name, chain.heads)
            written.append(checkpoint)
        }
        if let forced, let handover = written.first(where: { $0.premisesID == forced.uuidString.lowercased() }) {
            try await witness([handover], kind: "handover", premisesID: forced)
        }
        return written.count
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
        // The latest of its checkpoints signed by a key the service lists, for its time (a line
        // changed since, or signed with a key swapped in, is no receipt).
        let keys = keyring(witness: nil).keyring
        let signed = { (checkpoint: Checkpoint) in
            checkpoint.premisesID == wanted && keys.problem(with: checkpoint, at: checkpoint.date ?? .distantPast) == nil
        }
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
                    against: Evidence(receipt: receipt))
            }
        }
        guard let premisesID = UUID(uuidString: premises) else {
            throw DomainError.invalid(field: "premisesId", rule: "uuid", "the receipt's premisesId is not an id")
        }
        return try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Self.verifiers, to: "check a receipt", premisesID: premisesID, on: connection)
            var chains = [String: [Entry]]()
            for log in Self.logs { chains[log.name] = try await Self.entries(of: log.table, premisesID: premisesID, on: connection) }
            return try check(chains, premisesID: premisesID, against: Evidence(receipt: receipt))
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
