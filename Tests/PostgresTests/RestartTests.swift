import Foundation
import TestSupport
import Testing

@testable import Postgres

@Suite("PostgresPool across a PostgreSQL restart", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct RestartTests {
    @Test("after PostgreSQL restarts, the same pool answers again without being rebuilt")
    func recoversAfterRestart() async throws {
        try await LocalCluster.with { cluster in
            let pool = PostgresPool(settings: cluster.settings, maxConnections: 2)
            let before: Int = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid")

            try await cluster.stop()
            do {
                _ = try await pool.query("SELECT 1 AS one")
                Issue.record("a query succeeded while PostgreSQL was stopped")
            } catch let error as PostgresError {
                #expect(error.kind == .connectionFailure)
            }

            try await cluster.start()
            let after: Int = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid")
            #expect(after != before)
            await pool.close()
        }
    }
}
