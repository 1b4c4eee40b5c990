import Foundation

/// What the chains are held to besides their own hashes: the checkpoint folder on this machine
/// (always, unless a receipt is checked alone), one receipt kept elsewhere, and a witness's
/// copy of the checkpoints and key records.
struct Evidence {
    var receipt: Checkpoint?
    var witness: Witness?
}

extension LogChainStore {
    /// The keys the service has used, from the list beside the checkpoints and the witness's;
    /// with neither, the service's own key alone. With what does not hold of the lists.
    func keyring(witness: Witness?) -> (keyring: Keyring, problems: [String]) {
        let local = checkpoints.folder?.keyRecords() ?? (records: [], unreadable: [])
        var problems = local.unreadable.map {
            "\($0.file) line \($0.number) is not a key record any more: the list of keys was changed"
        }
        let records = local.records + (witness?.keys ?? [])
        guard !records.isEmpty else {
            return (checkpoints.currentKey().map { Keyring(onlyKey: $0.publicKey) } ?? Keyring(records: []), problems)
        }
        let keyring = Keyring(records: records)
        problems += keyring.problems
        if let witness {
            let kept = Set(local.records.map(\.signature))
            for record in witness.keys where !kept.contains(record.signature) {
                problems.append(
                    "the witness lists key \(record.key.prefix(12))… from \(record.at), which the list of keys on this machine does not: that list was changed"
                )
            }
        }
        if let current = checkpoints.currentKey()?.publicKey, let last = keyring.periods.last?.key, current != last {
            problems.append(
                "this service signs with key \(current.prefix(12))… now, which no signed change of key introduced (the last listed is \(last.prefix(12))…): the key file was replaced"
            )
        }
        return (keyring, problems)
    }

    /// Holds the chains to every checkpoint of theirs in the folder (or to the one receipt) and
    /// the witness: each must be signed by a key the service lists, for the time it was in use,
    /// each (sequence, hash) it saw must still be in its chain, and each chain must be at least
    /// as long as it was. Each witnessed checkpoint must also still be in the folder.
    func hold(_ chains: [String: [Entry]], premisesID: UUID?, to evidence: Evidence, in report: inout ChainReport) throws {
        let (keys, keyProblems) = keyring(witness: evidence.witness)
        guard !keys.isEmpty || evidence.receipt != nil else {
            report.notEstablished.append(
                "this service has no signing key (AP_SIGNING_KEY_FILE), so the logs were not held to any checkpoint: a chain cut short, or rewritten with every later hash recomputed, would not be found"
            )
            return
        }
        report.problems += keyProblems.map { ChainProblem(log: "checkpoints", problem: $0) }
        let wanted = premisesID?.uuidString.lowercased()
        var signed = [(checkpoint: Checkpoint, at: Date, place: String)]()
        var seen = Set<String>()
        func take(_ checkpoint: Checkpoint, _ place: String) {
            guard seen.insert((try? checkpoint.line()) ?? checkpoint.signature).inserted else { return }
            let at = checkpoint.date ?? .distantPast
            if let problem = keys.problem(with: checkpoint, at: at) {
                report.problems.append(
                    ChainProblem(
                        log: "checkpoints",
                        problem: "the checkpoint of \(checkpointTime(at)) (\(place)) has an invalid signature: \(problem)"))
            } else {
                signed.append((checkpoint, at, place))
            }
        }
        if let receipt = evidence.receipt {
            takeReceipt(receipt, keys: keys, into: &signed, report: &report)
        } else if let folder = checkpoints.folder {
            var local = Set<String>()
            for line in try folder.lines() {
                guard let checkpoint = try? Checkpoint.decode(line.text) else {
                    report.problems.append(
                        ChainProblem(
                            log: "checkpoints",
                            problem: "\(line.file) line \(line.number) is not a checkpoint any more: the folder was changed"))
                    continue
                }
                guard checkpoint.premisesID == wanted else { continue }
                local.insert((try? checkpoint.line()) ?? checkpoint.signature)
                take(checkpoint, "\(line.file) line \(line.number)")
            }
            if let witness = evidence.witness {
                let witnessed = witness.checkpoints.filter { $0.premisesID == wanted }
                report.witnessed = witnessed.count
                Self.missing(witnessed, local: local, in: &report)
                for checkpoint in witnessed { take(checkpoint, "the witness") }
            }
        }
        Self.hold(chains, to: signed, in: &report)
    }

    /// A receipt, checked with the key it names: held to when that key signed it, and said
    /// whether the key is one this service has used.
    func takeReceipt(
        _ receipt: Checkpoint, keys: Keyring, into signed: inout [(checkpoint: Checkpoint, at: Date, place: String)],
        report: inout ChainReport
    ) {
        let at = receipt.date ?? .distantPast
        guard Signatures.valid(receipt.signature, by: receipt.key, over: receipt.signedBytes) else {
            report.problems.append(
                ChainProblem(
                    log: "checkpoints",
                    problem:
                        "the receipt of \(checkpointTime(at)) is not signed by the key it names (\(receipt.key.prefix(12))…): it was changed after it was signed"
                ))
            return
        }
        if let known = keys.describe(receipt.key) {
            report.receiptKey = "signed with \(known)"
            if let problem = keys.problem(with: receipt, at: at) {
                report.problems.append(ChainProblem(log: "checkpoints", problem: "the receipt of \(checkpointTime(at)): \(problem)"))
            }
        } else {
            report.receiptKey = "signed with a key this service never listed (\(receipt.key.prefix(12))…)"
            report.problems.append(
                ChainProblem(
                    log: "checkpoints",
                    problem:
                        "the receipt is signed with a key this service never listed (\(receipt.key.prefix(12))…): either it is not this service's, or the list of keys beside the checkpoints was changed"
                ))
        }
        signed.append((receipt, at, "the receipt"))
    }

    /// Names each witnessed checkpoint the folder on this machine no longer holds (`local`: its
    /// lines as written).
    static func missing(_ witnessed: [Checkpoint], local: Set<String>, in report: inout ChainReport) {
        guard !witnessed.isEmpty else { return }
        guard !local.isEmpty else {
            report.problems.append(
                ChainProblem(
                    log: "checkpoints",
                    problem:
                        "the checkpoint folder on this machine holds none of these logs' checkpoints, but the witness holds \(witnessed.count): the folder was emptied or replaced"
                ))
            return
        }
        let gone = witnessed.filter { !local.contains((try? $0.line()) ?? $0.signature) }
        for checkpoint in gone.prefix(5) {
            report.problems.append(
                ChainProblem(
                    log: "checkpoints",
                    problem:
                        "the checkpoint of \(checkpointTime(checkpoint.date ?? .distantPast)), which the witness holds, is not in the checkpoint folder on this machine as signed: its line was deleted or changed"
                ))
        }
        if gone.count > 5 {
            report.problems.append(
                ChainProblem(log: "checkpoints", problem: "\(gone.count - 5) more witnessed checkpoints are not in the checkpoint folder"))
        }
    }

    /// Holds each chain to the checkpoints that are signed as they say.
    static func hold(
        _ chains: [String: [Entry]], to signed: [(checkpoint: Checkpoint, at: Date, place: String)], in report: inout ChainReport
    ) {
        var covered = [String: (seq: Int64, at: Date)]()
        var missing = [String: ChainProblem]()
        var rewritten = [String: ChainProblem]()
        for (checkpoint, at, _) in signed {
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
                            problem:
                                "entries are missing after #\(last): the checkpoint of \(checkpointTime(at)) saw the chain reach #\(head.seq)"
                        )
                    }
                } else if let entry = entries.first(where: { $0.chainSeq == head.seq }), ChainEncoding.hex(entry.entryHash) != head.hash,
                    (rewritten[head.log]?.chainSeq ?? 0) < head.seq
                {
                    // The latest checkpoint the chain no longer agrees with: the one nearest its head.
                    rewritten[head.log] = ChainProblem(
                        log: head.log, entryID: entry.id, chainSeq: head.seq,
                        problem:
                            "the chain was rewritten before the checkpoint of \(checkpointTime(at)): #\(head.seq) is not the entry that checkpoint signed"
                    )
                }
            }
        }
        report.problems += rewritten.values.sorted { $0.log < $1.log } + missing.values.sorted { $0.log < $1.log }
        let names = ["curfew_log": "curfew log", "night_checks": "night checks", "incidents": "incident log", "audit_log": "audit log"]
        for log in logs.map(\.name) {
            guard let entries = chains[log], let last = entries.last?.chainSeq else { continue }
            let name = names[log] ?? log
            if let covered = covered[log] {
                if last > covered.seq {
                    let newer = last - covered.seq
                    let which = newer == 1 ? "1 \(name) entry (#\(last))" : "\(newer) \(name) entries (#\(covered.seq + 1) to #\(last))"
                    report.notEstablished.append(
                        "\(which) came after the last checkpoint (\(checkpointTime(covered.at))): only the chain vouches for \(newer == 1 ? "it" : "them"), so a change to \(newer == 1 ? "it" : "them") with every later hash recomputed would not be found"
                    )
                }
            } else {
                report.notEstablished.append(
                    "no signed checkpoint covers the \(name) (\(last) entr\(last == 1 ? "y" : "ies")): only the chain vouches for it")
            }
        }
    }
}

/// A checkpoint's time on the clock of England and Wales, to the minute, as reports name it.
func checkpointTime(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = Premises.defaultTimeZone
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
}
