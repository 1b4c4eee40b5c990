import Crypto
import Foundation
import Logging
import Postgres

/// One numbered SQL file of sql/.
public struct Migration: Sendable, Equatable {
    /// The number the file name starts with; migrations apply in this order.
    public var version: Int
    /// The file name, for messages.
    public var name: String
    /// The SQL text.
    public var sql: String

    /// The SHA-256 of the text, recorded when applied and compared ever after.
    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Checksums of texts a migration had on main before it was put right, which a database
    /// migrated then may have recorded. 0001 landed with `response_headers`, was then wrongly put
    /// back to an older text (with `content_type`) and has since been restored; 0008 turned that
    /// column into `response_headers` and now does so only where needed. 0011 was edited after it
    /// landed to add the live-allocation index, which now has 0012 of its own (`IF NOT EXISTS`, so
    /// a database that ran the edited 0011 ends the same). The schema ends the same.
    static let earlierChecksums: [Int: Set<String>] = [
        1: ["e0726f4af119349efca30916d3664beb78ce90d09dfec5f3d35b6ac4f6a98d5e"],
        8: ["65a179f51c74c43e1db017f067c4648a4b62af629d63de3c036579f7d5754a7d"],
        11: ["6766892aaae61178928c3bd8fd886fe23e1d0ce3eb12acb2b68a4b70d464cf7d"],
    ]

    /// Whether a checksum recorded by a database is this migration's, now or as it stood before.
    func isRecorded(as recorded: String) -> Bool {
        recorded == checksum || Self.earlierChecksums[version]?.contains(recorded) == true
    }

    /// A value with each field given.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Reads every `NNNN_name.sql` file of a folder, in order.
    public static func load(from directory: URL) throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations = [Migration]()
        for name in names where name.hasSuffix(".sql") {
            guard let version = Int(name.prefix(while: \.isNumber)), name.first?.isNumber == true else {
                throw MigrationError.badFileName(name)
            }
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: text))
        }
        migrations.sort { $0.version < $1.version }
        for (first, second) in zip(migrations, migrations.dropFirst()) where first.version == second.version {
            throw MigrationError.duplicateVersion(first.name, second.name)
        }
        return migrations
    }
}

/// Why migrations could not be applied.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case badFileName(String)
    case duplicateVersion(String, String)
    case checksumMismatch(name: String)
    case folderNotFound

    public var description: String {
        switch self {
        case .badFileName(let name):
            "migration file \(name) must be named NNNN_what_it_does.sql"
        case .duplicateVersion(let first, let second):
            "migrations \(first) and \(second) have the same number; give each change its own"
        case .checksumMismatch(let name):
            "migration \(name) was changed after it was applied (its checksum differs); a landed migration is never edited: put the fix in a new, higher-numbered file"
        case .folderNotFound:
            "cannot find the sql/ folder of migrations; set AP_SQL_DIR to its path"
        }
    }
}

/// Applies migrations: each once, in its own transaction, recorded with its checksum.
/// Two migrators at once are safe: they take turns under an advisory lock.
public struct Migrator: Sendable {
    /// The advisory lock key that migrators take turns on.
    static let lockKey: Int64 = 0x41505F_4D49_47  // "AP_MIG"

    let pool: PostgresPool
    let migrations: [Migration]
    let logger: Logger

    /// A migrator applying `migrations` through the pool.
    public init(pool: PostgresPool, migrations: [Migration], logger: Logger = Logger(label: "migrate")) {
        self.pool = pool
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies what has not been applied yet; returns the migrations it applied.
    @discardableResult
    public func migrate() async throws -> [Migration] {
        try await pool.withConnection { connection in
            try await connection.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                let applied = try await apply(on: connection)
                try await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return applied
            } catch {
                _ = try? await connection.execute("ROLLBACK")
                _ = try? await connection.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection) async throws -> [Migration] {
        try await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migration (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        var recorded = [Int: (name: String, checksum: String)]()
        for row in try await connection.query("SELECT version, name, checksum FROM schema_migration") {
            recorded[try row.decode("version")] = (try row.decode("name"), try row.decode("checksum"))
        }
        for migration in migrations {
            if let done = recorded[migration.version], !migration.isRecorded(as: done.checksum) {
                throw MigrationError.checksumMismatch(name: migration.name)
            }
        }
        let known = Set(migrations.map(\.version))
        for (version, done) in recorded where !known.contains(version) {
            logger.warning(
                "the database has a migration this build does not know", metadata: ["migration": "\(done.name)", "version": "\(version)"])
        }
        var applied = [Migration]()
        for migration in migrations where recorded[migration.version] == nil {
            try await connection.execute("BEGIN")
            try await connection.executeScript(unsafeSQL: migration.sql)
            try await connection.execute(
                """
                INSERT INTO schema_migration (version, name, checksum)
                VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                """)
            try await connection.execute("COMMIT")
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            applied.append(migration)
        }
        return applied
    }
}
