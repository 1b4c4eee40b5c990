import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func verifyLogs(_ input: Operations.VerifyLogs.Input) async throws -> Operations.VerifyLogs.Output {
        let report = try await stores.logChains.verify(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            by: try RequestScope.caller())
        return .ok(.init(body: .json(Self.verification(report))))
    }

    func verifyNationalLog(_ input: Operations.VerifyNationalLog.Input) async throws -> Operations.VerifyNationalLog.Output {
        .ok(.init(body: .json(Self.verification(try await stores.logChains.verifyNational(by: try RequestScope.caller())))))
    }

    func takeReceipt(_ input: Operations.TakeReceipt.Input) async throws -> Operations.TakeReceipt.Output {
        let receipt = try await stores.logChains.receipt(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            by: try RequestScope.caller())
        return .ok(.init(body: .json(Self.receipt(receipt))))
    }

    func takeNationalReceipt(_ input: Operations.TakeNationalReceipt.Input) async throws -> Operations.TakeNationalReceipt.Output {
        .ok(.init(body: .json(Self.receipt(try await stores.logChains.receipt(premisesID: nil, by: try RequestScope.caller())))))
    }

    func checkReceipt(_ input: Operations.CheckReceipt.Input) async throws -> Operations.CheckReceipt.Output {
        guard case .json(let body) = input.body else { throw DomainError.invalid(field: "body", rule: "json", "the body must be JSON") }
        let receipt = Checkpoint(
            version: body.version, at: body.at, premisesID: body.premisesID, premisesCode: body.premisesCode,
            heads: body.heads.map { .init(log: $0.log, seq: $0.seq, hash: $0.hash) }, key: body.key, signature: body.signature)
        return .ok(.init(body: .json(Self.verification(try await stores.logChains.check(receipt: receipt, by: try RequestScope.caller())))))
    }

    func verifyWithWitness(_ input: Operations.VerifyWithWitness.Input) async throws -> Operations.VerifyWithWitness.Output {
        guard case .json(let body) = input.body else { throw DomainError.invalid(field: "body", rule: "json", "the body must be JSON") }
        guard body.lines.count <= 200_000 else {
            throw DomainError.invalid(field: "lines", rule: "maxItems", "a witness is sent as at most 200,000 lines")
        }
        if let long = body.lines.firstIndex(where: { $0.unicodeScalars.count > 4000 }) {
            throw DomainError.invalid(
                field: "lines[\(long)]", rule: "maxLength", "each line is at most 4,000 characters (a checkpoint is under 1,000)")
        }
        let premisesID = try body.premisesId.map { try Input.uuid($0, field: "premisesId") }
        let report = try await stores.logChains.verify(
            premisesID: premisesID, witness: Witness(lines: body.lines), by: try RequestScope.caller())
        return .ok(.init(body: .json(Self.verification(report))))
    }

    static func verification(_ report: ChainReport) -> Components.Schemas.LogVerification {
        .init(
            entries: report.totalEntries,
            logs: LogChainStore.logs.compactMap { log in report.entries[log.name].map { .init(log: log.name, entries: $0) } },
            problems: report.problems.map { .init(log: $0.log, entryId: $0.entryID, chainSeq: $0.chainSeq, problem: $0.problem) },
            checkpoints: report.checkpoints, lastCheckpoint: report.lastCheckpoint, notEstablished: report.notEstablished,
            receiptKey: report.receiptKey, witnessed: report.witnessed)
    }

    static func receipt(_ checkpoint: Checkpoint) -> Components.Schemas.Receipt {
        .init(
            version: checkpoint.version, at: checkpoint.at, premisesID: checkpoint.premisesID, premisesCode: checkpoint.premisesCode,
            heads: checkpoint.heads.map { .init(log: $0.log, seq: $0.seq, hash: $0.hash) }, key: checkpoint.key,
            signature: checkpoint.signature)
    }
}
