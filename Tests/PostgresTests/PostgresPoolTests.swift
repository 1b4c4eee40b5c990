import Foundation
import TestSupport
import Testing

@testable import Postgres

@Suite("PostgresPool against a real PostgreSQL", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct PostgresPoolTests {
    @Test("values of every supported type go in and come back unchanged")
    func roundTrip() async throws {
        try await TestDatabase.withEmptyDatabase { pool in
            let id = UUID()
            let when = Date(timeIntervalSince1970: 1_790_000_000.123456)
            let bytes = Data([0, 1, 2, 254, 255])
            let text = "Zoë O'Brien; \"quoted\" \\ back\\slash 🙂"
            let row = try #require(
                try await pool.query(
                    """
                    SELECT \(text)::text AS text, \(42)::integer AS int, \(Int64.max)::bigint AS big, \(true)::boolean AS flag,
                           \(id)::uuid AS id, \(when)::timestamptz AS at, \(bytes)::bytea AS bytes, \(2.5)::float8 AS real,
                           \(String?.none)::text AS nothing
                    """
                ).first)
            #expect(try row.decode("text", as: String.self) == text)
            #expect(try row.decode("int", as: Int.self) == 42)
            #expect(try row.decode("big", as: Int64.self) == Int64.max)
            #expect(try row.decode("flag", as: Bool.self) == true)
            #expect(try row.decode("id", as: UUID.self) == id)
            #expect(try row.decode("at", as: Date.self).timeIntervalSince1970 == when.timeIntervalSince1970)
            #expect(try row.decode("bytes", as: Data.self) == bytes)
            #expect(try row.decode("real", as: Double.self) == 2.5)
            #expect(try row.decode("nothing", as: String?.self) == nil)
            #expect(throws: PostgresDecodingError.self) { try row.decode("nothing", as: String.self) }
            #expect(throws: PostgresDecodingError.self) { try row.decode("no_such_column", as: String.self) }
        }
    }

    @Test("COPY loads many rows at once: tabs, newlines, backslashes and NULL come back as they went in; a bad row loads nothing")
    func copy() async throws {
        try await TestDatabase.withEmptyDatabase { pool in
            try await pool.execute("CREATE TABLE load (n integer NOT NULL, body text)")
            let awkward = "tab\there\nnew line \\ back\\slash \\N not null\r"
            let rows: [[String?]] = (0..<50_000).map { ["\($0)", $0 == 7 ? awkward : ($0 == 8 ? nil : "row \($0)")] }
            let loaded = try await pool.withConnection { try await $0.copy(into: "load", columns: ["n", "body"], rows: rows) }
            #expect(loaded == 50_000)
            #expect(try await pool.query("SELECT body FROM load WHERE n = 7").first?.decode("body", as: String.self) == awkward)
            #expect(try await pool.query("SELECT body FROM load WHERE n = 8").first?.decode("body", as: String?.self) == nil)
            await #expect(throws: PostgresError.self) {
                try await pool.withConnection {
                    try await $0.copy(into: "load", columns: ["n", "body"], rows: [["1", "fine"], ["not a number", "x"]])
                }
            }
            #expect(try await pool.query("SELECT count(*) AS n FROM load").first?.decode("n", as: Int64.self) == 50_000)
            // The connection is usable after a failed COPY.
            #expect(try await pool.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
        }
    }

    @Test("every connection has JIT compilation off, whatever the server's default")
    func jitOff() async throws {
        try await TestDatabase.withEmptyDatabase { pool in
            let server: String = try await pool.query("SELECT boot_val FROM pg_settings WHERE name = 'jit'").first!.decode("boot_val")
            #expect(server == "on", "PostgreSQL 15 compiles with JIT by default; this test shows our connections do not")
            for _ in 0..<3 {
                let jit: String = try await pool.query("SELECT current_setting('jit') AS jit").first!.decode("jit")
                #expect(jit == "off")
            }
        }
    }

    @Test("an injection attempt is stored as text, not run")
    func injection() async throws {
        try await TestDatabase.withEmptyDatabase { pool in
            try await pool.execute("CREATE TABLE note (body text NOT NULL)")
            let attack = "x'); DROP TABLE note; --"
            try await pool.execute("INSERT INTO note (body) VALUES (\(attack))")
            let rows = try await pool.query("SELECT body FROM note")
            #expect(try rows.map { try $0.decode("body", as: String.self) } == [attack])
        }
    }

    @Test("several statements in one query are refused")
    func oneStatementOnly() async throws {
        try await TestDatabase.withEmptyDatabase { pool in
            await #expect(throws: PostgresError.self) {
                try await pool.execute("SELECT 1; SELECT 2")
            }
        }
    }

    @Test("constraint violations come back typed, with the constraint's name")
    func constraintViolations() async throws {
        try await TestDatabase.withEmptyDatabase { pool in
            try await pool.execute("CREATE EXTENSION btree_gist")
            try await pool.execute("CREATE TABLE parent (id integer PRIMARY KEY)")
            try await pool.execute(
                """
                CREATE TABLE booking (
                    id integer PRIMARY KEY,
                    parent_id integer REFERENCES parent (id),
                    bed integer NOT NULL,
                    nights daterange NOT NULL,
                    CONSTRAINT nights_not_empty CHECK (NOT isempty(nights)),
                    CONSTRAINT bed_never_double_booked EXCLUDE USING gist (bed WITH =, nights WITH &&))
                """)
            try await pool.execute("INSERT INTO booking VALUES (1, NULL, 7, '[2026-01-01,2026-01-10)')")

            func failure(_ sql: SQL) async -> PostgresError? {
                do {
                    try await pool.execute(sql)
                    return nil
                } catch {
                    return error as? PostgresError
                }
            }
            let duplicate = await failure("INSERT INTO booking VALUES (1, NULL, 8, '[2026-02-01,2026-02-02)')")
            #expect(duplicate?.kind == .uniqueViolation)
            #expect(duplicate?.constraint == "booking_pkey")
            let overlap = await failure("INSERT INTO booking VALUES (2, NULL, 7, '[2026-01-09,2026-01-12)')")
            #expect(overlap?.kind == .exclusionViolation)
            #expect(overlap?.constraint == "bed_never_double_booked")
            let orphan = await failure("INSERT INTO booking VALUES (3, 99, 9, '[2026-01-01,2026-01-02)')")
            #expect(orphan?.kind == .foreignKeyViolation)
            let empty = await failure("INSERT INTO booking VALUES (4, NULL, 9, '[2026-01-01,2026-01-01)')")
            #expect(empty?.kind == .checkViolation)
            #expect(empty?.constraint == "nights_not_empty")
            let missing = await failure("INSERT INTO booking VALUES (5, NULL, NULL, '[2026-01-01,2026-01-02)')")
            #expect(missing?.kind == .notNullViolation)
            // The pool is still usable after every failure.
            let count: Int? = try await pool.query("SELECT count(*)::integer AS n FROM booking").first?.decode("n")
            #expect(count == 1)
        }
    }

    @Test("a transaction that throws is rolled back")
    func rollback() async throws {
        struct Abandon: Error {}
        try await TestDatabase.withEmptyDatabase { pool in
            try await pool.execute("CREATE TABLE item (id integer PRIMARY KEY)")
            await #expect(throws: Abandon.self) {
                try await pool.transaction { connection in
                    try await connection.execute("INSERT INTO item VALUES (1)")
                    throw Abandon()
                }
            }
            try await pool.transaction { connection in
                try await connection.execute("INSERT INTO item VALUES (2)")
            }
            let ids = try await pool.query("SELECT id FROM item ORDER BY id").map { try $0.decode("id", as: Int.self) }
            #expect(ids == [2])
        }
    }

    @Test("a serialization failure runs the transaction again, and both changes land")
    func serializationRetry() async throws {
        try await TestDatabase.withEmptyDatabase(maxConnections: 2) { pool in
            try await pool.execute("CREATE TABLE counter (id integer PRIMARY KEY, n integer NOT NULL)")
            try await pool.execute("INSERT INTO counter VALUES (1, 0)")
            let attempts = Attempts()
            // Two serializable read-modify-writes of one row, made to overlap: one must fail
            // with 40001 and be run again by the pool.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await pool.transaction(isolation: .serializable, maxAttempts: 5) { connection in
                            await attempts.add()
                            let n: Int = try await connection.first("SELECT n FROM counter WHERE id = 1")!.decode("n")
                            // Both first attempts have read before either writes, however slow the
                            // machine (a fixed sleep let one finish before the other began).
                            for _ in 0..<250 where await attempts.count < 2 { try await Task.sleep(for: .milliseconds(20)) }
                            try await connection.execute("UPDATE counter SET n = \(n + 1) WHERE id = 1")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let n: Int = try await pool.query("SELECT n FROM counter").first!.decode("n")
            #expect(n == 2)
            #expect(await attempts.count >= 3)
        }
    }

    @Test("the pool never opens more connections than its bound")
    func bounded() async throws {
        try await TestDatabase.withEmptyDatabase(maxConnections: 2) { pool in
            let pids = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            try await connection.execute("SELECT pg_sleep(0.05)")
                            return try await connection.first("SELECT pg_backend_pid() AS pid")!.decode("pid", as: Int.self)
                        }
                    }
                }
                var pids = Set<Int>()
                for try await pid in group { pids.insert(pid) }
                return pids
            }
            #expect(pids.count <= 2)
            #expect(pids.count >= 1)
        }
    }

    @Test("a connection the server dropped is replaced on the next use")
    func brokenConnectionReplaced() async throws {
        try await TestDatabase.withEmptyDatabase(maxConnections: 1) { pool in
            let first: Int = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid")
            try await TestDatabase.admin("SELECT pg_terminate_backend(\(first))")
            try await Task.sleep(for: .milliseconds(100))
            let second: Int = try await pool.query("SELECT pg_backend_pid() AS pid").first!.decode("pid")
            #expect(second != first)
        }
    }

    @Test("a connection lost mid-transaction is not returned to the pool")
    func lostMidTransaction() async throws {
        try await TestDatabase.withEmptyDatabase(maxConnections: 1) { pool in
            await #expect(throws: PostgresError.self) {
                try await pool.transaction(maxAttempts: 1) { connection in
                    let pid: Int = try await connection.first("SELECT pg_backend_pid() AS pid")!.decode("pid")
                    try await TestDatabase.admin("SELECT pg_terminate_backend(\(pid))")
                    try await connection.execute("SELECT 1")
                }
            }
            let one: Int? = try await pool.query("SELECT 1 AS one").first?.decode("one")
            #expect(one == 1)
        }
    }
}

actor Attempts {
    private(set) var count = 0
    func add() { count += 1 }
}
