import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func verifyLogs(_ input: Operations.VerifyLogs.Input) async throws -> Operations.VerifyLogs.Output {
        let report = try await stores.logChains.verify(premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
                                                by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(
            entries: report.totalEntries,
            logs: LogChainStore.logs.map { .init(log: $0.name, entries: report.entries[$0.name] ?? 0) },
            problems: report.problems.map { .init(log: $0.log, entryId: $0.entryID, chainSeq: $0.chainSeq, problem: $0.problem) }))))
    }
}
