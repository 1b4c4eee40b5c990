import ApprovedPremises
import Foundation
import Postgres

/// Real PostgreSQL databases for tests: each test gets its own, cloned from a template that
/// was migrated once per test run, so tests run in parallel and never see each other's rows.
///
/// The server is `AP_TEST_DATABASE_URL` (any database on it; `Deploy/test.sh` starts a
/// throwaway cluster and sets it). Without it, database tests are skipped, unless
/// `AP_REQUIRE_DATABASE=1` (as in CI), when they fail instead.
public enum TestDatabase {
    static let environment = ProcessInfo.processInfo.environment

    /// Whether database tests should run: a server is configured, or one is required.
    public static let isConfigured: Bool =
        environment["AP_TEST_DATABASE_URL"] != nil || environment["AP_REQUIRE_DATABASE"] == "1"

    /// The server's settings, pointing at its maintenance database.
    public static var server: ConnectionSettings {
        get throws {
            guard let url = environment["AP_TEST_DATABASE_URL"] else {
                throw TestDatabaseError("AP_TEST_DATABASE_URL is not set: run the tests with `bash Deploy/test.sh`")
            }
            return ConnectionSettings(connectionString: url).database("postgres")
        }
    }

    /// The checkout's root folder.
    public static var checkout: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The sql/ folder of this checkout.
    public static var sqlFolder: URL {
        checkout.appendingPathComponent("sql")
    }

    private static let template = Template()

    /// Runs `body` with a pool on a new, migrated database of its own, dropped afterwards.
    @discardableResult
    public static func withDatabase<T>(maxConnections: Int = 4, _ body: (PostgresPool) async throws -> T) async throws -> T {
        let templateName = try await template.name()
        return try await withEmptyDatabase(template: templateName, maxConnections: maxConnections, body)
    }

    /// Runs `body` with a pool on a new database of its own (empty unless `template` is given).
    @discardableResult
    public static func withEmptyDatabase<T>(
        template: String? = nil, maxConnections: Int = 4, _ body: (PostgresPool) async throws -> T
    ) async throws -> T {
        let server = try server
        let name = "ap_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let templateClause = template.map { " TEMPLATE \($0)" } ?? ""
        try await admin(SQL(unsafeSQL: "CREATE DATABASE \(name)\(templateClause)"))
        let pool = PostgresPool(settings: server.database(name), maxConnections: maxConnections)
        do {
            let value = try await body(pool)
            await pool.close()
            try await admin(SQL(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"))
            return value
        } catch {
            await pool.close()
            try? await admin(SQL(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"))
            throw error
        }
    }

    /// A new database of its own, migrated (or a copy of `template`), for a test that makes
    /// copies of a database it built; `drop(_:)` it afterwards.
    public static func create(copying template: String? = nil) async throws -> String {
        let source: String
        if let template { source = template } else { source = try await self.template.name() }
        let name = "ap_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await admin(SQL(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(source)"))
        return name
    }

    /// A pool on a database `create` made.
    public static func pool(_ name: String, maxConnections: Int = 4) throws -> PostgresPool {
        PostgresPool(settings: try server.database(name), maxConnections: maxConnections)
    }

    /// Drops a database `create` made.
    public static func drop(_ name: String) async throws {
        try await admin(SQL(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
    }

    /// Runs one statement on the server's maintenance database.
    public static func admin(_ sql: SQL) async throws {
        let pool = PostgresPool(settings: try server, maxConnections: 1)
        do {
            try await pool.execute(sql)
            await pool.close()
        } catch {
            await pool.close()
            throw error
        }
    }

    /// The migrated template, made once per test process.
    actor Template {
        private var made: Task<String, any Error>?

        func name() async throws -> String {
            if let made { return try await made.value }
            let task = Task<String, any Error> {
                let server = try TestDatabase.server
                let name = "ap_template_\(getpid())_\(Int(Date().timeIntervalSince1970))"
                try await TestDatabase.admin(SQL(unsafeSQL: "CREATE DATABASE \(name)"))
                let pool = PostgresPool(settings: server.database(name), maxConnections: 1)
                do {
                    try await Migrator(pool: pool, migrations: try Migration.load(from: TestDatabase.sqlFolder)).migrate()
                    await pool.close()
                } catch {
                    await pool.close()
                    throw error
                }
                return name
            }
            made = task
            return try await task.value
        }
    }
}

/// A test database could not be had.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
