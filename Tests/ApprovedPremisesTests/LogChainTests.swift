import Foundation
import Postgres
import TestSupport
import Testing

@testable import APDemoData
@testable import ApprovedPremises

/// An entry's hash is defined once, in Swift (`ChainEncoding`), and spelt twice more: by the
/// chain triggers' SQL (`<table>_chain_content`, migration 0017) and by the national seed, which
/// writes chained entries in bulk with the triggers off. These tests fail the moment the three
/// differ.
@Suite("Log chains", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct LogChainTests {
    @Test("entries chained by the seed hash as the Swift verifier and the SQL triggers hash them")
    func seedSwiftAndSQLAgree() async throws {
        try await TestDatabase.withDatabase { pool in
            let premises = UUID()
            let placement = Array(UUID().uuidString.lowercased().utf8)
            let staff = Array(UUID().uuidString.lowercased().utf8)
            // Across the October clock change, with and without a destination and an expected return.
            let night = Int64(Date(timeIntervalSince1970: 1_792_882_800).timeIntervalSince1970)  // 2026-10-24T23:00Z
            var checks = ChainedCopyText(table: "night_check", premises: premises, firstID: 9_000_001)
            for (index, observation) in ["seen", "not_seen", "not_in_room", "refused"].enumerated() {
                let due = night + Int64(index) * 3_600
                checks.appendNightCheck(
                    due: due, placement: placement, observation: observation, observed: due + 61, recorded: due + 125, by: staff)
            }
            var outings = ChainedCopyText(table: "movement", premises: premises, firstID: 9_000_001)
            outings.appendMovement(
                placement: placement, kind: "out", at: night - 7_200, by: staff, destination: "Café on Oxford Rd | late",
                expectedBack: night - 60)
            outings.appendMovement(placement: placement, kind: "in", at: night + 900, by: staff, destination: nil, expectedBack: nil)
            outings.appendMovement(
                placement: placement, kind: "out", at: night + 90_000, by: staff, destination: nil, expectedBack: night + 99_000)

            let (swift, sql) = try await pool.withConnection { connection in
                try await connection.execute("BEGIN")
                // As the seed loads them: triggers (and so the references' checks) off.
                try await connection.execute("SET LOCAL session_replication_role = replica")
                _ = try await connection.copy(into: "night_check", columns: NationalSeed.nightCheckColumns, text: checks.finish())
                _ = try await connection.copy(into: "movement", columns: NationalSeed.movementColumns, text: outings.finish())
                var swift = [ChainProblem]()
                var counted = 0
                for table in ["night_check", "movement"] {
                    let entries = try await LogChainStore.entries(of: table, premisesID: premises, on: connection)
                    counted += entries.count
                    swift += LogChainStore.problems(in: entries, log: table)
                }
                let rows = try await connection.query(
                    """
                    SELECT 'night_check' AS log, chain_seq FROM night_check n WHERE premises_id = \(premises)
                       AND entry_hash <> sha256(coalesce(previous_hash, '\\x'::bytea) || night_check_chain_content(n))
                    UNION ALL
                    SELECT 'movement', chain_seq FROM movement m WHERE premises_id = \(premises)
                       AND entry_hash <> sha256(coalesce(previous_hash, '\\x'::bytea) || movement_chain_content(m))
                    """)
                // A v2 entry erased under the retention schedule: its link holds and verify says its
                // content can no longer be recomputed; changed without being marked erased, it is named.
                try await connection.execute(
                    "UPDATE movement SET destination = 'erased', erased_at = now() WHERE premises_id = \(premises) AND destination IS NOT NULL"
                )
                let erased = try await LogChainStore.entries(of: "movement", premisesID: premises, on: connection)
                #expect(LogChainStore.problems(in: erased, log: "movement").isEmpty && erased.filter(\.erasedBeforeSealing).count == 1)
                try await connection.execute("UPDATE movement SET kind = 'out' WHERE premises_id = \(premises) AND chain_seq = 2")
                let changed = try await LogChainStore.entries(of: "movement", premisesID: premises, on: connection)
                #expect(LogChainStore.problems(in: changed, log: "movement").map(\.chainSeq) == [2])
                try await connection.execute("ROLLBACK")
                #expect(counted == 7)
                return (swift, try rows.map { "\(try $0.decode("log", as: String.self)) #\(try $0.decode("chain_seq", as: Int64.self))" })
            }
            #expect(swift.isEmpty, "the seed's entries as the Swift verifier reads them: \(swift)")
            #expect(sql.isEmpty, "entries whose seeded hash is not the SQL's: \(sql)")
        }
    }

    @Test("salts and commitments are read as jsonb prints them, and anything else as JSON")
    func hexes() throws {
        #expect(try LogChainStore.hexes("{}").isEmpty)
        #expect(try LogChainStore.hexes(#"{"note": "0a9F"}"#) == ["note": "0a9F"])
        #expect(try LogChainStore.hexes(#"{"after": "01", "before": "ff"}"#) == ["after": "01", "before": "ff"])
        #expect(try LogChainStore.hexes(#"{"a, b": "x: y"}"#) == ["a, b": "x: y"])
        #expect(throws: (any Error).self) { try LogChainStore.hexes(#"{"note": 12}"#) }
    }

    @Test("the SQL encoding of every chained table is the Swift one, field by field")
    func sqlEncodingIsSwifts() async throws {
        try await TestDatabase.withDatabase { pool in
            // Awkward values: NULL, empty, a bar, a colon, a newline, multi-byte text and an array.
            let given = ["", "a|b", "12:30", "line\nnext", "Café ☕", "{x,\"y z\"}"]
            let encoded: String = try await pool.query(
                """
                SELECT encode(ap_chain_content('movement', ARRAY[NULL::text] || \(given)::text[]), 'hex') AS hex
                """)[0].decode("hex")
            var builder = ChainEncoding.Builder(table: "movement")
            builder.field(String?.none)
            given.forEach { builder.field($0) }
            #expect(encoded == ChainEncoding.hex(builder.bytes))
            // The sealed encoding (v3, migration 0026): the same fields under its own version, and
            // the commitment to a field as the trigger makes it.
            let sealed: String = try await pool.query(
                """
                SELECT encode(ap_chain_content_v3('movement', ARRAY[NULL::text] || \(given)::text[]), 'hex') AS hex
                """)[0].decode("hex")
            var v3 = ChainEncoding.Builder(table: "movement", version: ChainEncoding.sealedVersion)
            v3.field(String?.none)
            given.forEach { v3.field($0) }
            #expect(sealed == ChainEncoding.hex(v3.bytes) && sealed != encoded)
            let seal: String = try await pool.query(
                "SELECT ap_chain_seal('night_check', jsonb_build_object('note', \(given[4])::text))::text AS seal")[0].decode("seal")
            let parts = try JSONDecoder().decode([String: [String: String]].self, from: Data(seal.utf8))
            let salt = try #require(parts["salts"]?["note"].flatMap(ChainEncoding.bytes(hex:)))
            #expect(salt.count == 32)
            #expect(parts["commitments"]?["note"] == ChainEncoding.hex(ChainEncoding.commitment(salt: salt, text: given[4])))
        }
    }
}
