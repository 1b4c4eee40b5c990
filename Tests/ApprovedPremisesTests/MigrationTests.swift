import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Migrations", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct MigrationTests {
    let migrations: [Migration]

    init() throws {
        migrations = try Migration.load(from: TestDatabase.sqlFolder)
    }

    @Test("the files of sql/ load in number order, each number once")
    func loadsInOrder() {
        #expect(migrations.count >= 2)
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
        #expect(migrations.first?.name == "0001_foundation.sql")
    }

    @Test("the schema migration `ap --version` names is the last file of sql/")
    func releaseNamesTheLastMigration() {
        #expect(migrations.last?.name == Release.schemaMigration)
        #expect(Release.description.hasSuffix("(schema migration \(Release.schemaMigration))"))
    }

    @Test("each migration is applied once: a second run applies nothing")
    func appliesOnce() async throws {
        try await TestDatabase.withEmptyDatabase { pool in
            let first = try await Migrator(pool: pool, migrations: migrations).migrate()
            #expect(first.map(\.version) == migrations.map(\.version))
            let second = try await Migrator(pool: pool, migrations: migrations).migrate()
            #expect(second.isEmpty)
            let recorded = try await pool.query("SELECT version, checksum FROM schema_migration ORDER BY version")
            #expect(try recorded.map { try $0.decode("checksum", as: String.self) } == migrations.map(\.checksum))
        }
    }

    @Test("a migration changed after it was applied is refused, naming the file")
    func changedChecksumRefused() async throws {
        try await TestDatabase.withEmptyDatabase { pool in
            try await Migrator(pool: pool, migrations: migrations).migrate()
            var edited = migrations
            edited[0].sql += "\n-- a quiet edit\n"
            await #expect(throws: MigrationError.checksumMismatch(name: "0001_foundation.sql")) {
                try await Migrator(pool: pool, migrations: edited).migrate()
            }
        }
    }

    @Test(
        "0011 is as it landed; a database that ran the edited 0011 (with the live-allocation index) still migrates, and both end with the index"
    )
    func editedZeroElevenStillMigrates() async throws {
        let landed = try #require(migrations.first { $0.version == 11 })
        #expect(landed.checksum == "5488cd0287d5dfdc61370fe9721c6ea53604f42180fa1338a3a87006d104ec58", "0011 is as it first landed")
        #expect(migrations.contains { $0.version == 12 })
        for history in ["fresh", "edited 0011"] {
            try await TestDatabase.withEmptyDatabase { pool in
                if history == "edited 0011" {
                    var earlier = migrations.filter { $0.version <= 11 }
                    // As main stood from stop 19 to stop 20: the index appended to 0011.
                    earlier[earlier.count - 1].sql += """

                        -- A resident's bed tonight: a plain index on the placement, carrying the bed and the nights,
                        -- finds their few live allocations without a visit to the table, quicker than the exclusion
                        -- constraint's GiST index does.
                        CREATE INDEX bed_allocation_live_by_placement ON bed_allocation (placement_id) INCLUDE (bed_id, nights)
                            WHERE released_at IS NULL;

                        """
                    #expect(earlier[earlier.count - 1].checksum == "6766892aaae61178928c3bd8fd886fe23e1d0ce3eb12acb2b68a4b70d464cf7d")
                    try await Migrator(pool: pool, migrations: earlier).migrate()
                }
                try await Migrator(pool: pool, migrations: migrations).migrate()
                let found = try await pool.query("SELECT 1 AS found FROM pg_indexes WHERE indexname = 'bed_allocation_live_by_placement'")
                #expect(found.count == 1, "\(history)")
            }
        }
    }

    @Test(
        "a database migrated while 0001 had its wrongly restored text (and the first 0008) still migrates, to the same table; fresh ones get 0001 as it landed"
    )
    func earlierTextsOfZeroOneAndZeroEight() async throws {
        let sql = TestDatabase.sqlFolder
        #expect(migrations[0].checksum == "916cccd7b96be2f5fc07a54206cec7a5e85e596af7b08494c79106e506f97c42", "0001 is as it first landed")
        try await TestDatabase.withEmptyDatabase { pool in
            // As main stood from stop 8 until now: 0001 with content_type, then 0008 dropping it.
            var earlier = migrations.filter { $0.version <= 8 }
            earlier[0].sql = try String(contentsOf: sql.appendingPathComponent("0001_foundation.sql"), encoding: .utf8)
                .replacingOccurrences(of: "    response_headers jsonb,\n", with: "    content_type text,\n")
            earlier[7].sql =
                "-- A replayed answer needs more of the first answer's headers than its content type (ETag,\n"
                + "-- Location): keep them all, as JSON.\n"
                + "ALTER TABLE idempotency_record DROP COLUMN content_type;\n"
                + "ALTER TABLE idempotency_record ADD COLUMN response_headers jsonb;\n"
            #expect(earlier[0].checksum == "e0726f4af119349efca30916d3664beb78ce90d09dfec5f3d35b6ac4f6a98d5e")
            #expect(earlier[7].checksum == "65a179f51c74c43e1db017f067c4648a4b62af629d63de3c036579f7d5754a7d")
            try await Migrator(pool: pool, migrations: earlier).migrate()
            let applied = try await Migrator(pool: pool, migrations: migrations).migrate()
            #expect(applied.map(\.version) == migrations.map(\.version).filter { $0 > 8 })
            let columns = try await pool.query(
                """
                SELECT string_agg(column_name, ',' ORDER BY column_name) AS c FROM information_schema.columns
                WHERE table_name = 'idempotency_record' AND column_name IN ('content_type', 'response_headers')
                """
            ).first!.decode("c", as: String.self)
            #expect(columns == "response_headers")
        }
    }

    @Test("a failing migration leaves nothing of itself behind, and the ones before it stay")
    func failingMigrationRollsBack() async throws {
        try await TestDatabase.withEmptyDatabase { pool in
            let broken =
                migrations + [
                    Migration(
                        version: 9000, name: "9000_broken.sql",
                        sql: """
                            CREATE TABLE half_done (id integer);
                            SELECT no_such_function();
                            """)
                ]
            await #expect(throws: PostgresError.self) {
                try await Migrator(pool: pool, migrations: broken).migrate()
            }
            let tables = try await pool.query("SELECT to_regclass('half_done')::text AS t, to_regclass('staff')::text AS s").first!
            #expect(try tables.decode("t", as: String?.self) == nil)
            #expect(try tables.decode("s", as: String?.self) == "staff")
            let versions = try await pool.query("SELECT version FROM schema_migration").map { try $0.decode("version", as: Int.self) }
            #expect(!versions.contains(9000))
        }
    }

    @Test("two migrators at once take turns: every migration is applied exactly once")
    func concurrentMigrators() async throws {
        try await TestDatabase.withEmptyDatabase(maxConnections: 4) { pool in
            let applied = try await withThrowingTaskGroup(of: [Migration].self) { group in
                for _ in 0..<3 {
                    group.addTask { try await Migrator(pool: pool, migrations: migrations).migrate() }
                }
                var all = [Migration]()
                for try await batch in group { all += batch }
                return all
            }
            #expect(applied.map(\.version).sorted() == migrations.map(\.version))
        }
    }

    @Test("reference data is seeded with the national codes")
    func referenceData() async throws {
        try await TestDatabase.withDatabase { pool in
            func count(_ table: String) async throws -> Int {
                try await pool.query(SQL(unsafeSQL: "SELECT count(*)::integer AS n FROM \(table)")).first!.decode("n")
            }
            #expect(try await count("probation_region") == 12)
            #expect(try await count("ap_type") == 5)
            // the 14 national codes, and the two a transfer records (0023)
            #expect(try await count("departure_reason") == 16)
            #expect(try await count("departure_reason WHERE active") == 14)
            #expect(try await count("move_on_category") == 13)
            #expect(try await count("postcode_district") == 2862)
            let curfew = try await pool.query("SELECT name, parent_code FROM departure_reason WHERE code = 'F'").first!
            #expect(try curfew.decode("parent_code", as: String?.self) == "BR")
            let custody = try await pool.query("SELECT accommodation_outcome FROM move_on_category WHERE code = 'MC19'").first!
            #expect(try custody.decode("accommodation_outcome", as: String.self) == "custody")
            let matched = try await pool.query("SELECT count(*)::integer AS n FROM room_characteristic WHERE matched_on_bookings").first!
            #expect(try matched.decode("n", as: Int.self) == 6)
        }
    }
}
