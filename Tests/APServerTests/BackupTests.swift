import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// Backups tested by restoring them, on the cluster of Deploy/cluster.sh: every WAL segment
/// archived by pgBackRest as Patroni's configuration says, a full and a differential backup taken
/// while 50 clients write through nginx (Deploy/backup.sh), the repository verified, then a write,
/// a moment, another write, and a point-in-time restore to that moment into a new cluster
/// (Deploy/restore.sh): the first write is there and the second not, and the chains verify.
@Suite(
    "pgBackRest backups and a point-in-time restore", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct BackupTests {
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
    static func verifyThroughTheService(
        restoredPort: Int, keyFile: URL, checkpoints: URL, receiptAfter: URL, entriesKept: Int, in folder: URL
    ) async throws {
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
            ["login", "fault.admin", "--server", base], config: config,
            // A recovery code: the restored copy does not say which step its last code used.
            stdin: Fixtures.password + "\n" + Fixtures.recoveryCodes(of: "fault.admin").last! + "\n")
        #expect(login.status == 0, "\(login.output)")
        let premises = try await CommandLineTests.ap(["verify", "--premises", "FLT"], config: config)
        #expect(premises.status == 0 && premises.output.contains("hold"), "\(premises.output)")
        let national = try await CommandLineTests.ap(["verify", "--national"], config: config)
        #expect(national.status == 0 && national.output.contains("hold"), "\(national.output)")
        let receipt = try await CommandLineTests.ap(["verify", "--premises", "FLT", "--receipt-file", receiptAfter.path], config: config)
        #expect(receipt.status != 0 && receipt.output.contains("entries are missing after #\(entriesKept)"), "\(receipt.output)")
    }

    @Test(
        "a full and a differential backup under 50 clients, verify clean, a restore to a time between two writes: the first there, the second not; ap verify holds, and a later receipt names what was given up"
    )
    func backupsAndPointInTimeRestore() async throws {
        let topology = try ClusterTopology()
        try await topology.with { http in
            let pool = topology.pool()
            let (premises, residents, token) = try await FaultTests.world(pool)
            let night = try await Fixtures(pool: pool).signIn("fault.night").principal
            let admin = try await Fixtures(pool: pool).signIn("fault.admin").principal

            // A full and then a differential backup, each while the clients write.
            let rounds = 3
            for (phase, kind) in ["full", "diff"].enumerated() {
                let tally = ClusterTests.Tally()
                let load = ClusterTests.load(
                    phase: phase, rounds: rounds, residents: residents, token: token, topology: topology, http: http, tally: tally)
                try await tally.reach(ClusterTests.clients / 2)
                let said = try await topology.script("backup.sh", [kind])
                #expect(said.contains("\(kind) backup taken"), "\(said)")
                await load.value
                #expect(tally.figures.refused.isEmpty && tally.figures.acknowledged.allSatisfy { $0 == rounds * 2 })
            }
            let verified = try await topology.script("backup.sh", ["verify"])
            #expect(verified.contains("the repository verifies"), "\(verified)")
            let info = try await topology.script("backup.sh", ["info"])
            #expect(info.contains("full backup:") && info.contains("diff backup:"), "\(info)")

            // The service's signing key (made by `ap db keygen`) and checkpoint folder, outside the database and not restored with it.
            let keyFile = topology.folder.appendingPathComponent("signing.key")
            let keygen = try await CommandLineTests.ap(
                ["db", "keygen", keyFile.path], config: topology.folder.appendingPathComponent("none.json"))
            #expect(keygen.status == 0, "\(keygen.output)")
            let folder = topology.folder.appendingPathComponent("checkpoints")
            let chains = LogChainStore(
                pool: pool,
                checkpoints: CheckpointSettings(key: try CheckpointKey(file: keyFile.path), folder: CheckpointFolder(path: folder.path)))

            // The first write, before the moment, is restored from the archive; the second, after it, is not.
            let curfew = CurfewStore(pool: pool)
            func signOut(_ resident: String, minutesAgo: Double) async throws {
                _ = try await curfew.record(
                    UUID(uuidString: resident)!, .init(kind: "out", occurredAt: Date().addingTimeInterval(-minutesAgo * 60)), by: night)
            }
            for resident in residents.prefix(10) { try await signOut(resident, minutesAgo: 30) }
            #expect(try await chains.checkpoint() >= 2)  // the premises' chains and the national audit chain
            // The folder as it stood at the moment (the checkpoint just taken), for the service on the restored copy.
            let folderAtMoment = topology.folder.appendingPathComponent("checkpoints-at-moment")
            try FileManager.default.copyItem(at: folder, to: folderAtMoment)
            try await Task.sleep(for: .milliseconds(1_100))
            let moment: String = try await pool.query("SELECT now()::text AS t")[0].decode("t")
            let atMoment = try await Self.counts(pool)
            try await Task.sleep(for: .milliseconds(1_100))
            for resident in residents.dropFirst(10).prefix(10) { try await signOut(resident, minutesAgo: 20) }
            let later = try await Self.counts(pool)
            #expect(later["movement"]! == atMoment["movement"]! + 10)
            // A receipt taken after the second write: it saw what the restore to the moment gives up.
            _ = try await chains.checkpoint()
            let receiptFile = topology.folder.appendingPathComponent("receipt-after.json")
            try Data(try await chains.receipt(premisesID: UUID(uuidString: premises)!, by: admin).line().utf8).write(to: receiptFile)
            // The segment holding the second write is closed and archived.
            _ = try await topology.script("backup.sh", ["check"])
            await pool.close()

            let restoredPort = try LocalCluster.freePort()
            let restored = topology.folder.appendingPathComponent("restored")
            let said = try await topology.script("restore.sh", ["--to", moment, "--into", restored.path, "--port", String(restoredPort)])
            #expect(said.contains("promoted"), "\(said)")
            func stopRestored() async {
                let stop = "/usr/lib/postgresql/15/bin/pg_ctl -D '\(restored.path)/data' -m immediate stop"
                _ = try? await Subprocess.run(
                    "/bin/bash", ["-c", getuid() == 0 ? "runuser -u postgres -- \(stop)" : stop],
                    environment: ProcessInfo.processInfo.environment, output: topology.folder.appendingPathComponent("stop.log"))
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
                    receiptAfter: receiptFile, entriesKept: restoredCounts["movement"]!, in: topology.folder)
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
