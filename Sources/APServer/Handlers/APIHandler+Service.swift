import APIContract
import ApprovedPremises
import Postgres

extension APIHandler {
    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func getReady(_ input: Operations.GetReady.Input) async throws -> Operations.GetReady.Output {
        do {
            _ = try await pool.query("SELECT 1 AS ready")
        } catch {
            throw DomainError(.unavailable, "the database is not answering")
        }
        return .ok(.init(body: .json(.init(status: "ready"))))
    }
}
