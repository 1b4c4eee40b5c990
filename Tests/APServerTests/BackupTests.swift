import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// Backups tested by restoring them: continuous WAL archiving and a base backup
/// (Deploy/backup.sh), writes before and after a moment, then a point-in-time restore to that
/// moment into a new data folder (Deploy/restore.sh): the restored database holds exactly what
/// was committed by then, and its chains verify.
@Suite("Backup and point-in-time restore", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct BackupTests {
    static func script(_ name: String, _ arguments: [String], cluster: LocalCluster, backups: URL) async throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["AP_PG_DIR"] = cluster.folder.appendingPathComponent("pg").path
        environment["AP_PG_PORT"] = String(cluster.port)
        environment["AP_BACKUP_DIR"] = backups.path
        let log = cluster.folder.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(6)).log")
        let status = try await Subprocess.run(
            "/bin/bash", [TestDatabase.checkout.appendingPathComponent("Deploy/\(name)").path] + arguments,
            environment: environment, output: log)
        let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0 else { throw TestDatabaseError("\(name) \(arguments.joined(separator: " ")) failed: \(said)") }
        return said
    }

    /// What a database holds, to compare: rows of each log, and of the audit log.
    static func counts(_ pool: PostgresPool) async throws -> [String: Int] {
        var counts = [String: Int]()
        for table in ["movement", "night_check", "incident", "audit_event", "placement"] {
            counts[table] = try await pool.query("SELECT count(*)::integer AS n FROM \(unsafeSQL: table)")[0].decode("n")
        }
        return counts
    }

    /// `ap verify`, as an operator would run it after a restore: `ap serve` on the restored copy
    /// with the key and the checkpoints as they were at the moment restored to, the logs of the
    /// premises and the national audit log verified through the CLI; then a receipt taken after
    /// the later writes, which names the entries the restore gave up.
    static func verifyThroughTheService(restoredPort: Int, keyFile: URL, checkpoints: URL, receiptAfter: URL, in folder: URL) async throws {
        let port = try LocalCluster.freePort()
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:\(restoredPort)/approved_premises"
        environment["AP_PORT"] = String(port)
        environment["LOG_LEVEL"] = "critical"
        environment["AP_BREACH_SCAN_SECONDS"] = "3600"
        environment["AP_SIGNING_KEY_FILE"] = keyFile.path
        environment["AP_CHECKPOINT_DIR"] = checkpoints.path
        let server = try Subprocess.start(try CommandLineTests.binary().path, ["serve"], environment: environment)
        defer { server.kill() }
        let base = "http://127.0.0.1:\(port)"
        try await FaultTests.waitReady(base)
        let config = folder.appendingPathComponent("admin.json")
        let login = try await CommandLineTests.ap(
            ["login", "fault.admin", "--server", base], config: config, stdin: Fixtures.password + "\n")
        #expect(login.status == 0, "\(login.output)")
        let premises = try await CommandLineTests.ap(["verify", "--premises", "FLT"], config: config)
        #expect(premises.status == 0 && premises.output.contains("hold"), "\(premises.output)")
        let national = try await CommandLineTests.ap(["verify", "--national"], config: config)
        #expect(national.status == 0 && national.output.contains("hold"), "\(national.output)")
        let receipt = try await CommandLineTests.ap(["verify", "--premises", "FLT", "--receipt-file", receiptAfter.path], config: config)
        #expect(receipt.status != 0 && receipt.output.contains("entries are missing after #10"), "\(receipt.output)")
    }

    @Test(
        "a base backup and the archived WAL restore to a point in time: the rows committed by then, no later; ap verify holds, and a later receipt names what was given up"
    )
    func pointInTimeRestore() async throws {
        try await LocalCluster.with { cluster in
            let backups = cluster.folder.appendingPathComponent("backups")
            _ = try await Self.script("backup.sh", ["enable"], cluster: cluster, backups: backups)
            let pool = PostgresPool(settings: cluster.settings, maxConnections: 4)
            try await Migrator(pool: pool, migrations: try Migration.load(from: TestDatabase.sqlFolder)).migrate()
            let (premises, residents, _) = try await FaultTests.world(pool)
            let night = try await Fixtures(pool: pool).signIn("fault.night").principal
            let admin = try await Fixtures(pool: pool).signIn("fault.admin").principal
            _ = try await Self.script("backup.sh", ["base"], cluster: cluster, backups: backups)

            // The service's signing key (made by `ap db keygen`) and checkpoint folder, outside the database and not restored with it.
            let keyFile = cluster.folder.appendingPathComponent("signing.key")
            let keygen = try await CommandLineTests.ap(
                ["db", "keygen", keyFile.path], config: cluster.folder.appendingPathComponent("none.json"))
            #expect(keygen.status == 0, "\(keygen.output)")
            let folder = cluster.folder.appendingPathComponent("checkpoints")
            let chains = LogChainStore(
                pool: pool,
                checkpoints: CheckpointSettings(
                    key: try CheckpointKey(file: keyFile.path),
                    folder: CheckpointFolder(path: folder.path)))

            // Writes after the base backup and before the moment are restored from the archive; those after it are not.
            let curfew = CurfewStore(pool: pool)
            func signOut(_ resident: String, minutesAgo: Double) async throws {
                _ = try await curfew.record(
                    UUID(uuidString: resident)!, .init(kind: "out", occurredAt: Date().addingTimeInterval(-minutesAgo * 60)),
                    by: night)
            }
            for resident in residents.prefix(10) { try await signOut(resident, minutesAgo: 30) }
            #expect(try await chains.checkpoint() >= 2)  // the premises' chains and the national audit chain
            // The folder as it stood at the moment (the checkpoint just taken), for the service on the restored copy.
            let folderAtMoment = cluster.folder.appendingPathComponent("checkpoints-at-moment")
            try FileManager.default.copyItem(at: folder, to: folderAtMoment)
            try await Task.sleep(for: .milliseconds(1_100))
            let moment: String = try await pool.query("SELECT now()::text AS t")[0].decode("t")
            let atMoment = try await Self.counts(pool)
            try await Task.sleep(for: .milliseconds(1_100))
            for resident in residents.dropFirst(10).prefix(10) { try await signOut(resident, minutesAgo: 20) }
            let later = try await Self.counts(pool)
            #expect(later["movement"]! == atMoment["movement"]! + 10)
            // A receipt taken after the later writes: it saw what the restore to the moment gives up.
            _ = try await chains.checkpoint()
            let receiptFile = cluster.folder.appendingPathComponent("receipt-after.json")
            try Data(try await chains.receipt(premisesID: UUID(uuidString: premises)!, by: admin).line().utf8).write(to: receiptFile)
            _ = try await Self.script("backup.sh", ["switch"], cluster: cluster, backups: backups)
            await pool.close()

            let restoredPort = try LocalCluster.freePort()
            let restored = cluster.folder.appendingPathComponent("restored")
            let said = try await Self.script(
                "restore.sh", ["--to", moment, "--into", restored.path, "--port", String(restoredPort)],
                cluster: cluster, backups: backups)
            #expect(said.contains("promoted"), "\(said)")
            func stopRestored() async {
                let stop = "/usr/lib/postgresql/15/bin/pg_ctl -D '\(restored.path)/data' -m immediate stop"
                _ = try? await Subprocess.run(
                    "/bin/bash", ["-c", getuid() == 0 ? "runuser -u postgres -- \(stop)" : stop],
                    environment: ProcessInfo.processInfo.environment, output: cluster.folder.appendingPathComponent("stop.log"))
            }
            let copy = PostgresPool(
                settings: ConnectionSettings(
                    connectionString: "postgresql://postgres@127.0.0.1:\(restoredPort)/approved_premises", connectTimeoutSeconds: 5),
                maxConnections: 2)
            do {
                let restoredCounts = try await Self.counts(copy)
                #expect(restoredCounts == atMoment, "restored \(restoredCounts), at the moment \(atMoment), later \(later)")
                let premisesIDs: [UUID] = try await copy.query("SELECT id FROM premises").map { try $0.decode("id") }
                #expect(premisesIDs.contains(UUID(uuidString: premises)!))
                for id in premisesIDs {
                    let report = try await LogChainStore(pool: copy).verify(premisesID: id, by: admin)
                    #expect(report.problems.isEmpty, "\(report.problems)")
                }
                #expect(try await LogChainStore(pool: copy).verifyNational(by: admin).problems.isEmpty)
                try await Self.verifyThroughTheService(
                    restoredPort: restoredPort, keyFile: keyFile, checkpoints: folderAtMoment,
                    receiptAfter: receiptFile, in: cluster.folder)
                await copy.close()
                await stopRestored()
            } catch {
                await copy.close()
                await stopRestored()
                throw error
            }
        }
    }
}
