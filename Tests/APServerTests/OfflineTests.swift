import ApprovedPremises
import Foundation
import Postgres
import Testing
import TestSupport

/// The night shift goes on recording when the service cannot be reached: `ap` keeps each
/// request on the PC and sends it, once, in order, with its real time, when the service is back.
@Suite("The night shift offline", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct OfflineTests {
    @Test("service stopped: ap out, in, check and an incident are saved on the PC (0600); started: sent once, in order, with their times; the breach follows; a refusal is kept and shown")
    func offlineNight() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await TestWorld.make(pool: pool)
            let admin = try await world.fixtures.signIn("admin").principal
            let now = Date()
            _ = try await PlacementStore(pool: pool).arrive(world.placement, at: now.addingTimeInterval(-30 * 3_600), keyWorkerID: nil,
                                                           expectedVersion: nil, by: admin)
            // The last 23:00 curfew start at least an hour ago, in the premises' zone.
            let zone = Premises.defaultTimeZone
            let today = CalendarDate.today(in: zone, now: now)
            let curfew = try #require([0, -1, -2].map { CurfewRules.instant(today.adding(days: $0), WallClock(hour: 23, minute: 0), in: zone) }
                .first { $0 <= now.addingTimeInterval(-3_600) })

            let port = try LocalCluster.freePort()
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = pool.settings.connectionString
            environment["AP_PORT"] = String(port)
            environment["LOG_LEVEL"] = "critical"
            environment["AP_BREACH_SCAN_SECONDS"] = "3600"
            let binary = try CommandLineTests.binary().path
            var server = try Subprocess.start(binary, ["serve"], environment: environment)
            defer { server.kill() }
            let base = "http://127.0.0.1:\(port)"
            try await FaultTests.waitReady(base)

            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("ap/config.json")
            let fast = ["AP_OFFLINE_AFTER_SECONDS": "1", "AP_RETRY_SECONDS": "1"]
            func ap(_ arguments: [String], stdin: String? = nil) async throws -> CommandLineTests.Run {
                try await CommandLineTests.ap(arguments, config: config, stdin: stdin, environment: fast)
            }
            func login(_ username: String) async throws -> CommandLineTests.Run {
                try await ap(["login", username, "--server", base], stdin: Fixtures.password + "\n")
            }
            #expect(try await login("night").status == 0)
            let online = try await ap(["tonight"])
            #expect(online.status == 0 && online.output.contains("Sam Jones"), "\(online.output)")

            // The service goes away.
            server.kill()
            _ = try await server.wait(upTo: .seconds(10))
            let out = try await ap(["out", "sam", "--at", curfew.addingTimeInterval(-3_600).formatted(.iso8601), "-y"])
            #expect(out.status == 0 && out.output.contains("Service unreachable: saved on this PC (1 waiting). It will be sent when the service is back."),
                    "\(out.output)")
            // It tried again first (with the same key), and said so.
            #expect(out.output.contains("the service could not be reached: trying again in"), "\(out.output)")
            let back = try await ap(["in", "sam", "--at", curfew.addingTimeInterval(30 * 60).formatted(.iso8601), "-y"])
            #expect(back.output.contains("saved on this PC (2 waiting)"), "\(back.output)")
            let check = try await ap(["check", "--due", "23:00", "-y"], stdin: "s")
            #expect(check.output.contains("saved on this PC (3 waiting)"), "\(check.output)")
            let incident = try await ap(["incident", "record", "--kind", "damage", "--severity", "low", "--where", "kitchen",
                                         "--what", "cupboard door off", "--done", "door removed", "--at", now.addingTimeInterval(-600).formatted(.iso8601), "-y"])
            #expect(incident.output.contains("saved on this PC (4 waiting)"), "\(incident.output)")
            let offline = try await ap(["tonight"])
            #expect(offline.output.contains("OFFLINE — as of") && offline.output.contains("4 entries waiting") && offline.output.contains("Sam Jones"),
                    "\(offline.output)")
            let journal = folder.appendingPathComponent("ap/journal-night.jsonl")
            #expect((try FileManager.default.attributesOfItem(atPath: journal.path)[.posixPermissions] as? Int) == 0o600)
            let movementsBefore: Int = try await pool.query("SELECT count(*)::integer AS n FROM movement").first!.decode("n")
            #expect(movementsBefore == 0)

            // Back: the next command sends them, in order, each once, with the time it happened.
            server = try Subprocess.start(binary, ["serve"], environment: environment)
            try await FaultTests.waitReady(base)
            let next = try await ap(["whoami"])
            #expect(next.output.contains("Sent 4 entries saved on this PC"), "\(next.output)")
            _ = try await ap(["sync"])
            let log = try await pool.query("""
                SELECT kind, occurred_at, recorded_at - occurred_at > interval '15 minutes' AS late FROM movement WHERE placement_id = \(world.placement) ORDER BY id
                """)
            #expect(try log.map { try $0.decode("kind", as: String.self) } == ["out", "in"])
            #expect(try log.map { try $0.decode("occurred_at", as: Date.self) } == [curfew.addingTimeInterval(-3_600), curfew.addingTimeInterval(30 * 60)])
            #expect(try log.allSatisfy { try $0.decode("late", as: Bool.self) })
            let breach = try await pool.query("SELECT window_start, minutes_late FROM curfew_breach WHERE placement_id = \(world.placement)")
            #expect(breach.count == 1)
            #expect(try breach.first?.decode("minutes_late", as: Int?.self) == 30)
            #expect(try breach.first?.decode("window_start", as: Date.self) == curfew)
            let rounds: Int = try await pool.query("SELECT count(DISTINCT round_due_at)::integer AS n FROM night_check").first!.decode("n")
            #expect(rounds == 1)
            let incidents: Int = try await pool.query("SELECT count(*)::integer AS n FROM incident WHERE summary = 'cupboard door off'").first!.decode("n")
            #expect(incidents == 1)

            // A sign-in the service refuses when it arrives (he is already in) is kept and shown, not dropped;
            // and another member of staff signing in on this PC does not send it under their name.
            server.kill()
            _ = try await server.wait(upTo: .seconds(10))
            let again = try await ap(["in", "sam", "-y"])
            #expect(again.output.contains("saved on this PC (1 waiting)"), "\(again.output)")
            server = try Subprocess.start(binary, ["serve"], environment: environment)
            try await FaultTests.waitReady(base)
            #expect(try await login("manager").status == 0)
            let audits: Int = try await pool.query("SELECT count(*)::integer AS n FROM audit_event WHERE action = 'movement.in'").first!.decode("n")
            #expect(audits == 1, "the manager's sign-in sent the night worker's entry")
            #expect(try await login("night").status == 0)
            let show = try await ap(["sync", "--show"])
            #expect(show.output.contains("REFUSED") && show.output.contains("Sam Jones is in (signed in at"), "\(show.output)")
            let reminder = try await ap(["whoami"])
            #expect(reminder.output.contains("1 entry saved on this PC was refused by the service"), "\(reminder.output)")
            let discard = try await ap(["sync", "--discard", "5", "--reason", "he was in already: recorded twice"])
            #expect(discard.status == 0, "\(discard.output)")
            let settled = try await ap(["sync"])
            #expect(settled.output.contains("Nothing is waiting on this PC."), "\(settled.output)")
            let movementsAfter: Int = try await pool.query("SELECT count(*)::integer AS n FROM movement").first!.decode("n")
            #expect(movementsAfter == 2)
        }
    }
}
