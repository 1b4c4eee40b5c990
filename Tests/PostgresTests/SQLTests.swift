import Foundation
import Testing

@testable import Postgres

@Suite("SQL: interpolated values become bound parameters")
struct SQLTests {
    @Test("interpolated values become $n placeholders, in order, and never enter the text")
    func placeholders() {
        let name = "O'Brien'; DROP TABLE staff; --"
        let sql: SQL = "SELECT * FROM staff WHERE username = \(name) AND active = \(true) AND version > \(3)"
        #expect(sql.text == "SELECT * FROM staff WHERE username = $1 AND active = $2 AND version > $3")
        #expect(sql.binds == [name, "t", "3"])
        #expect(!sql.description.contains("O'Brien"))
    }

    @Test("nil becomes NULL")
    func null() {
        let missing: String? = nil
        let sql: SQL = "SELECT \(missing)::text AS x"
        #expect(sql.binds == [nil])
    }

    @Test("an embedded fragment's placeholders are renumbered, and quoted dollars are left alone")
    func fragments() {
        let filter: SQL = "code = \("NW") AND note = '$1'"
        let sql: SQL = "SELECT 1 WHERE id = \(7) AND \(filter) AND x = \(9)"
        #expect(sql.text == "SELECT 1 WHERE id = $1 AND code = $2 AND note = '$1' AND x = $3")
        #expect(sql.binds == ["7", "NW", "9"])
    }

    @Test("trusted text goes in only with the unsafeSQL label")
    func unsafe() {
        let sql: SQL = "SELECT * FROM \(unsafeSQL: "staff") WHERE id = \(1)"
        #expect(sql.text == "SELECT * FROM staff WHERE id = $1")
    }

    @Test("timestamps read as PostgreSQL prints them, with their offset")
    func timestamps() throws {
        let date = try Date(postgresText: "2026-03-29 01:30:00.25+00")
        #expect(date.timeIntervalSince1970 == 1_774_747_800.25)
        let offset = try Date(postgresText: "2026-03-29 02:30:00+01")
        #expect(offset.timeIntervalSince1970 == 1_774_747_800)
        #expect(throws: PostgresDecodingError.self) { try Date(postgresText: "yesterday") }
    }

    @Test("timestamps and bytes are written as PostgreSQL reads them, and instants read back to the microsecond")
    func writtenText() throws {
        #expect(Date(timeIntervalSince1970: 0).postgresText == "1970-01-01 00:00:00.000000+00")
        #expect(Date(timeIntervalSince1970: 1_709_251_199.5).postgresText == "2024-02-29 23:59:59.500000+00")
        #expect(Date(timeIntervalSince1970: -1.25).postgresText == "1969-12-31 23:59:58.750000+00")
        #expect(Data([0, 1, 0x7f, 0xfe, 0xff]).postgresText == "\\x00017ffeff")
        #expect(Data().postgresText == "\\x")
        #expect(try Date(postgresText: "2024-02-29 18:29:59.5-05:30").timeIntervalSince1970 == 1_709_251_199.5)
        #expect(throws: PostgresDecodingError.self) { try Date(postgresText: "2026-13-01 00:00:00+00") }
        // Every instant from 1900 to 2100 (a generator of our own, so a failure repeats) reads back as written.
        var state: UInt64 = 42
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let microseconds = Int64(state >> 11) % (6_311_433_600 * 1_000_000) - 2_208_988_800 * 1_000_000
            let instant = Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
            let read = try Date(postgresText: instant.postgresText)
            #expect(abs(read.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001, "\(instant.postgresText)")
        }
    }

    @Test("a uuid reads back as written, in either case; anything else is refused")
    func uuids() throws {
        for _ in 0..<2_000 {
            let id = UUID()
            #expect(try UUID(postgresText: id.postgresText) == id)
            #expect(try UUID(postgresText: id.uuidString) == id)
        }
        for bad in [
            "", "not-a-uuid", "0bd0c0f1-2b6e-4c1f-9f0e-3d1a2b3c4d5", "0bd0c0f1-2b6e-4c1f-9f0e-3d1a2b3c4d5e0",
            "0bd0c0f1a2b6e-4c1f-9f0e-3d1a2b3c4d5e", "0bd0c0f1-2b6e-4c1f-9f0e-3d1a2b3c4d5g", "{0bd0c0f1-2b6e-4c1f-9f0e-3d1a2b3c4d5e}",
        ] {
            #expect(throws: PostgresDecodingError.self, "\(bad)") { try UUID(postgresText: bad) }
        }
    }

    @Test("a SQLSTATE maps to the kind of failure the caller can act on")
    func sqlStates() {
        #expect(PostgresError.kind(forSQLState: "23505") == .uniqueViolation)
        #expect(PostgresError.kind(forSQLState: "23P01") == .exclusionViolation)
        #expect(PostgresError.kind(forSQLState: "23503") == .foreignKeyViolation)
        #expect(PostgresError.kind(forSQLState: "23514") == .checkViolation)
        #expect(PostgresError.kind(forSQLState: "40001") == .serializationFailure)
        #expect(PostgresError.kind(forSQLState: "40P01") == .deadlockDetected)
        #expect(PostgresError.kind(forSQLState: "57P01") == .connectionFailure)
        #expect(PostgresError.kind(forSQLState: "42P01") == .other)
    }

    @Test("an error's description carries no SQL or data; its debug description does")
    func errorDescriptions() {
        let error = PostgresError(
            kind: .uniqueViolation, sqlState: "23505", constraint: "staff_username_is_unique",
            message: "duplicate key value", detail: "Key (username)=(jo.smith) already exists.")
        #expect(!error.description.contains("jo.smith"))
        #expect(String(reflecting: error).contains("jo.smith"))
    }
}
