import ApprovedPremises
import Foundation
import Postgres
import Testing
import TestSupport

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
        let status = try await Subprocess.run("/bin/bash", [TestDatabase.checkout.appendingPathComponent("Deploy/\(name)").path] + arguments,
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

    @Test("a base backup and the archived WAL restore to a point in time: the rows committed by then, no later, and ap verify holds")
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

            // Writes after the base backup and before the moment are restored from the archive; those after it are not.
            let curfew = CurfewStore(pool: pool)
            func signOut(_ resident: String, minutesAgo: Double) async throws {
                _ = try await curfew.record(UUID(uuidString: resident)!, .init(kind: "out", occurredAt: Date().addingTimeInterval(-minutesAgo * 60)),
                                            by: night)
            }
            for resident in residents.prefix(10) { try await signOut(resident, minutesAgo: 30) }
            try await Task.sleep(for: .milliseconds(1_100))
            let moment: String = try await pool.query("SELECT now()::text AS t")[0].decode("t")
            let atMoment = try await Self.counts(pool)
            try await Task.sleep(for: .milliseconds(1_100))
            for resident in residents.dropFirst(10).prefix(10) { try await signOut(resident, minutesAgo: 20) }
            let later = try await Self.counts(pool)
            #expect(later["movement"]! == atMoment["movement"]! + 10)
            _ = try await Self.script("backup.sh", ["switch"], cluster: cluster, backups: backups)
            await pool.close()

            let restoredPort = try LocalCluster.freePort()
            let restored = cluster.folder.appendingPathComponent("restored")
            let said = try await Self.script("restore.sh", ["--to", moment, "--into", restored.path, "--port", String(restoredPort)],
                                             cluster: cluster, backups: backups)
            #expect(said.contains("promoted"), "\(said)")
            func stopRestored() async {
                let stop = "/usr/lib/postgresql/15/bin/pg_ctl -D '\(restored.path)/data' -m immediate stop"
                _ = try? await Subprocess.run("/bin/bash", ["-c", getuid() == 0 ? "runuser -u postgres -- \(stop)" : stop],
                                              environment: ProcessInfo.processInfo.environment, output: cluster.folder.appendingPathComponent("stop.log"))
            }
            let copy = PostgresPool(settings: ConnectionSettings(
                connectionString: "postgresql://postgres@127.0.0.1:\(restoredPort)/approved_premises", connectTimeoutSeconds: 5), maxConnections: 2)
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
