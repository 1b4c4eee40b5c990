import APClient
import APDemoData
import ApprovedPremises
import ArgumentParser
import Foundation
import Logging
import Postgres

struct DB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Operator commands on the database itself (DATABASE_URL or PG* variables).",
        discussion: "Example:  DATABASE_URL=postgresql://postgres@127.0.0.1:54329/approved_premises ap db migrate",
        subcommands: [
            Migrate.self, Demo.self, CreateAdmin.self, Keygen.self, Retention.self, Seed.self, BenchReports.self, Bench.self,
            BenchPages.self,
        ])
}

/// Opens a pool for an operator command and closes it afterwards.
func withOperatorPool<T>(jit: Bool = false, tellingNobody: Bool = false, _ body: (PostgresPool) async throws -> T) async throws -> T {
    var settings = ConnectionSettings.fromEnvironment()
    settings.jit = jit
    // History loaded now (the demo, the national seed) happened before: its changes write no e-mail.
    if tellingNobody { settings.sessionSettings.append((name: "ap.outbox", value: "off")) }
    let pool = PostgresPool(settings: settings, maxConnections: 2)
    do {
        let value = try await body(pool)
        await pool.close()
        return value
    } catch let error as PostgresError {
        await pool.close()
        throw CLIError(
            error.kind == .connectionFailure
                ? "cannot reach the database (\(error.message)); set DATABASE_URL or PGHOST/PGDATABASE/PGUSER"
                : String(reflecting: error))
    } catch {
        await pool.close()
        throw error
    }
}

func bcryptCost() -> UInt8 {
    ProcessInfo.processInfo.environment["AP_BCRYPT_COST"].flatMap(UInt8.init).flatMap { (4...31).contains($0) ? $0 : nil } ?? 12
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the SQL migrations in sql/ that the database has not had yet.",
        discussion: """
            Each file is applied once, in its own transaction, and recorded with its checksum; a \
            file changed after it was applied is refused. Safe to run from two places at once. \
            The sql/ folder is found from AP_SQL_DIR, the working folder, or the build's checkout.

            Example:  DATABASE_URL=postgresql://postgres@127.0.0.1:54329/approved_premises ap db migrate
            """)

    func run() async throws {
        let migrations = try Migration.load(from: try SQLFolder.locate())
        var logger = Logger(label: "migrate")
        logger.logLevel = .warning
        let applied = try await withOperatorPool { pool in
            try await Migrator(pool: pool, migrations: migrations, logger: logger).migrate()
        }
        if applied.isEmpty {
            print("The database is up to date (\(migrations.count) migrations).")
        } else {
            applied.forEach { print("applied \($0.name)") }
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a small demo AP with one account for each role (for a local machine only).",
        discussion: "Loading it twice changes nothing.\n\nExample:  ap db demo")

    func run() async throws {
        let added = try await withOperatorPool(tellingNobody: true) { pool in
            try await DemoData(pool: pool, hasher: PasswordHasher(cost: bcryptCost())).load()
        }
        print(added.isEmpty ? "The demo data was already there." : "Added demo accounts: \(added.joined(separator: ", ")).")
        print("Demo sign-ins (password \(DemoData.password)):")
        for account in DemoData.accounts {
            print("  \(account.username.padding(toLength: 14, withPad: " ", startingAt: 0)) \(account.role.title)")
        }
    }
}

struct CreateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-admin",
        abstract: "Open the first administrator account, directly in the database.",
        discussion: """
            For a new installation, before anyone can sign in. The password is asked for, or \
            read from stdin. Recorded in the audit log with no member of staff.

            Example:  echo "$ADMIN_PASSWORD" | ap db create-admin root.admin --name "First Admin"
            """)

    @Argument(help: "The username.") var username: String
    @Option(help: "The person's name.") var name: String

    func run() async throws {
        let password = try Terminal.readPassword(prompt: "Password for \(username): ")
        let created = try await withOperatorPool { pool in
            do {
                return try await StaffStore(pool: pool, hasher: PasswordHasher(cost: bcryptCost())).createAsOperator(
                    NewStaff(username: username, displayName: name, role: .administrator, password: password))
            } catch let error as DomainError {
                throw CLIError(error.message)
            }
        }
        print("Added administrator \(created.username).")
    }
}

struct Keygen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make the Ed25519 key pair that signs checkpoints of the logs (AP_SIGNING_KEY_FILE), or replace it.",
        discussion: """
            Writes the private key to FILE (readable by its owner only) and its public half to \
            FILE.pub, and prints the public half. Keep the private key on the service's machine and \
            never in the database; give the public half to whoever checks receipts.

            --replace changes the key in FILE: the change, signed by the old key and the new, is \
            appended to the list of keys (keys.jsonl) in AP_CHECKPOINT_DIR and \
            AP_CHECKPOINT_WITNESS_DIR, then FILE is replaced. The service signs with the new key \
            from its next checkpoint; checkpoints and receipts signed with the old one still \
            verify, for the time it was in use. A key file replaced any other way shows in \
            ap verify as a change of key nobody signed.

            Examples:  ap db keygen /etc/ap/signing.key
                       ap db keygen --replace /etc/ap/signing.key
            """)

    @Argument(help: "Where to write the private key.") var file: String
    @Flag(help: "Replace the key FILE holds, recording the change signed by both keys.") var replace = false

    func run() async throws {
        if replace {
            let environment = ProcessInfo.processInfo.environment
            let folders = ["AP_CHECKPOINT_DIR", "AP_CHECKPOINT_WITNESS_DIR"].compactMap { environment[$0] }.filter { !$0.isEmpty }
            guard !folders.isEmpty else {
                throw CLIError(
                    "set AP_CHECKPOINT_DIR (and AP_CHECKPOINT_WITNESS_DIR) as the service has them: the change of key is recorded there")
            }
            do {
                let key = try CheckpointKey.replace(file: file, folders: folders.map(CheckpointFolder.init(path:)))
                print(
                    "Replaced the signing key in \(file); the change is listed in \(folders.joined(separator: " and ")). The new public half:"
                )
                print(key.publicKey)
            } catch let error as DomainError {
                throw CLIError(error.message)
            }
            return
        }
        guard !FileManager.default.fileExists(atPath: file) else {
            throw CLIError("\(file) already exists: to change the key, use ap db keygen --replace \(file), which records the change")
        }
        let key = CheckpointKey()
        guard FileManager.default.createFile(atPath: file, contents: Data(key.fileText.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(file)")
        }
        try (key.publicKey + "\n").write(toFile: file + ".pub", atomically: true, encoding: .utf8)
        print("Wrote the signing key to \(file) and its public half to \(file).pub:")
        print(key.publicKey)
    }
}
