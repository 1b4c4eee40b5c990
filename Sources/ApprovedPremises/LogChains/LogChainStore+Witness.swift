import Foundation
import Postgres

/// The witness outside this machine: the checkpoints' signed heads (never the entries, so no
/// personal data) and the list of keys, e-mailed through the outbox to an address the machine's
/// administrator does not control, and held against the chains and the folder by
/// `ap verify --witness`.
extension LogChainStore {
    /// Holds a premises' chains (nil: the national audit chain) to the folder and to a
    /// witness's copy: every witnessed checkpoint must still be in the folder, and the chains
    /// must agree with it.
    public func verify(premisesID: UUID?, witness: Witness, by principal: Principal) async throws -> ChainReport {
        guard let premisesID else {
            try principal.require([.administrator], to: "verify the national audit log")
            return try await pool.withConnection { connection in
                try check(
                    ["audit_log": try await Self.entries(of: "audit_event", premisesID: nil, on: connection)], premisesID: nil,
                    against: Evidence(witness: witness))
            }
        }
        return try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Self.verifiers, to: "verify the logs", premisesID: premisesID, on: connection)
            var chains = [String: [Entry]]()
            for log in Self.logs { chains[log.name] = try await Self.entries(of: log.table, premisesID: premisesID, on: connection) }
            return try check(chains, premisesID: premisesID, against: Evidence(witness: witness))
        }
    }

    /// Queues the day's digest for the witness address, once a UTC day (whichever service of
    /// several gets there first): the latest checkpoint of each chain written in the last two
    /// days' files, and the list of keys. Returns whether one was queued.
    @discardableResult
    public func witnessDigest(now: Date = Date()) async throws -> Bool {
        guard checkpoints.witnessEmail != nil, let folder = checkpoints.folder else { return false }
        let once = "checkpoint_witness:\(Checkpoint.format(now).prefix(10))"
        // Asked every checkpoint interval: once the day's is queued, the folder is not read again.
        guard try await pool.query("SELECT 1 FROM notification WHERE once_key = \(once)").isEmpty else { return false }
        let days = Set((0...1).map { String(Checkpoint.format(now.addingTimeInterval(Double(-$0) * 86_400)).prefix(10)) })
        var latest = [String: Checkpoint]()
        for line in try folder.lines() where days.contains(String(line.file.dropFirst("checkpoints-".count).prefix(10))) {
            guard let checkpoint = try? Checkpoint.decode(line.text) else { continue }
            latest[checkpoint.premisesID ?? "national"] = checkpoint
        }
        return try await witness(
            latest.values.sorted { ($0.premisesCode ?? "") < ($1.premisesCode ?? "") }, kind: "digest", premisesID: nil,
            once: once)
    }

    /// Queues an e-mail to the witness address with these checkpoints and the list of keys.
    @discardableResult
    func witness(_ signed: [Checkpoint], kind: String, premisesID: UUID?, once: String? = nil) async throws -> Bool {
        guard let address = checkpoints.witnessEmail, !signed.isEmpty else { return false }
        let keys = checkpoints.folder?.keyRecords().records ?? []
        let lines = try signed.map { try $0.line() } + keys.map { try $0.line() }
        let what =
            kind == "digest"
            ? "the latest checkpoint of \(signed.count) chain\(signed.count == 1 ? "" : "s")"
            : "the checkpoint taken at the handover at \(signed[0].premisesCode ?? "the premises")"
        let details = try JSONSerialization.data(withJSONObject: [
            "kind": kind, "what": what, "count": "\(signed.count)", "lines": lines.joined(separator: "\n"),
        ])
        let written = try await pool.query(
            """
            INSERT INTO notification (event, recipient_kind, recipient, premises_id, details, once_key)
            VALUES ('checkpoint_witness', 'witness', \(address), \(premisesID), \(String(decoding: details, as: UTF8.self))::jsonb, \(once))
            ON CONFLICT (once_key) WHERE once_key IS NOT NULL DO NOTHING
            RETURNING id
            """)
        return !written.isEmpty
    }
}
