@testable import APDemoData
import ApprovedPremises
import Foundation
import Postgres
import Testing
import TestSupport

/// The seed writes hash-chained night checks and outings in bulk, working each entry's content
/// out in Swift rather than through the chain triggers. That Swift text is a second spelling of
/// the SQL content functions (`night_check_content`, `movement_content`): this test fails the
/// moment the two differ, by letting PostgreSQL hash the seeded rows again with its own functions.
@Suite("Log chains", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct LogChainTests {
    @Test("entries chained by the seed hash exactly as the SQL content functions hash them")
    func seedContentMatchesSQL() async throws {
        try await TestDatabase.withDatabase { pool in
            let premises = UUID()
            let placement = Array(UUID().uuidString.lowercased().utf8)
            let staff = Array(UUID().uuidString.lowercased().utf8)
            // Across the October clock change, with and without a destination and an expected return.
            let night = Int64(Date(timeIntervalSince1970: 1_792_882_800).timeIntervalSince1970)  // 2026-10-24T23:00Z
            var checks = ChainedCopyText(premises: premises)
            for (index, observation) in ["seen", "not_seen", "not_in_room", "refused"].enumerated() {
                let due = night + Int64(index) * 3_600
                checks.appendNightCheck(due: due, placement: placement, observation: observation, observed: due + 61, recorded: due + 125, by: staff)
            }
            var outings = ChainedCopyText(premises: premises)
            outings.appendMovement(placement: placement, kind: "out", at: night - 7_200, by: staff, destination: "Café on Oxford Rd | late", expectedBack: night - 60)
            outings.appendMovement(placement: placement, kind: "in", at: night + 900, by: staff, destination: nil, expectedBack: nil)
            outings.appendMovement(placement: placement, kind: "out", at: night + 90_000, by: staff, destination: nil, expectedBack: night + 99_000)

            let mismatches = try await pool.withConnection { connection in
                try await connection.execute("BEGIN")
                // As the seed loads them: triggers (and so the references' checks) off.
                try await connection.execute("SET LOCAL session_replication_role = replica")
                _ = try await connection.copy(into: "night_check", columns: NationalSeed.nightCheckColumns, text: checks.finish())
                _ = try await connection.copy(into: "movement", columns: NationalSeed.movementColumns, text: outings.finish())
                let rows = try await connection.query("""
                    SELECT 'night_check' AS log, chain_seq FROM night_check n WHERE premises_id = \(premises)
                       AND entry_hash <> sha256(coalesce(previous_hash, '\\x'::bytea) || convert_to(night_check_content(n), 'UTF8'))
                    UNION ALL
                    SELECT 'movement', chain_seq FROM movement m WHERE premises_id = \(premises)
                       AND entry_hash <> sha256(coalesce(previous_hash, '\\x'::bytea) || convert_to(movement_content(m), 'UTF8'))
                    UNION ALL
                    SELECT 'count', count(*) FROM (SELECT 1 FROM night_check WHERE premises_id = \(premises)
                                                   UNION ALL SELECT 1 FROM movement WHERE premises_id = \(premises)) AS both_logs
                    """)
                try await connection.execute("ROLLBACK")
                return try rows.map { "\(try $0.decode("log", as: String.self)) #\(try $0.decode("chain_seq", as: Int64.self))" }
            }
            #expect(mismatches == ["count #7"], "entries whose seeded hash is not the SQL's: \(mismatches)")
        }
    }
}
