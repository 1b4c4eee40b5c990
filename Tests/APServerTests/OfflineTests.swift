import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// The night shift goes on recording when the service cannot be reached: `ap` keeps each
/// request on the PC and sends it, once, in order, with its real time, when the service is back.
@Suite("The night shift offline", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct OfflineTests {
    @Test(
        "service stopped: ap out, in, check and an incident are saved on the PC (0600); started: sent once, in order, with their times; the breach follows; a refusal is kept and shown"
    )
    func offlineNight() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await Self.samArrived(pool)
            let now = Date()
            // The last 23:00 curfew start at least an hour ago, in the premises' zone.
            let zone = Premises.defaultTimeZone
            let today = CalendarDate.today(in: zone, now: now)
            let curfew = try #require(
                [0, -1, -2].map { CurfewRules.instant(today.adding(days: $0), WallClock(hour: 23, minute: 0), in: zone) }
                    .first { $0 <= now.addingTimeInterval(-3_600) })

            let served = try await Self.serve(pool)
            var server = served.server
            let (base, start) = (served.base, served.start)
            defer { server.kill() }

            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("ap/config.json")
            let fast = ["AP_OFFLINE_AFTER_SECONDS": "1", "AP_RETRY_SECONDS": "1"]
            func ap(_ arguments: [String], stdin: String? = nil) async throws -> CommandLineTests.Run {
                try await CommandLineTests.ap(arguments, config: config, stdin: stdin, environment: fast)
            }
            func login(_ username: String) async throws -> CommandLineTests.Run {
                try await ap(["login", username, "--server", base], stdin: try await Fixtures(pool: pool).loginInput(username))
            }
            #expect(try await login("night").status == 0)
            let online = try await ap(["tonight"])
            #expect(online.status == 0 && online.output.contains("Sam Jones"), "\(online.output)")

            // The service goes away.
            server.kill()
            _ = try await server.wait(upTo: .seconds(10))
            let out = try await ap(["out", "sam", "--at", curfew.addingTimeInterval(-3_600).formatted(.iso8601), "-y"])
            #expect(
                out.status == 0
                    && out.output.contains("Service unreachable: saved on this PC (1 waiting). It will be sent when the service is back."),
                "\(out.output)")
            // It tried again first (with the same key), and said so.
            #expect(out.output.contains("the service could not be reached: trying again in"), "\(out.output)")
            let back = try await ap(["in", "sam", "--at", curfew.addingTimeInterval(30 * 60).formatted(.iso8601), "-y"])
            #expect(back.output.contains("saved on this PC (2 waiting)"), "\(back.output)")
            let check = try await ap(["check", "--due", "23:00", "-y"], stdin: "s")
            #expect(check.output.contains("saved on this PC (3 waiting)"), "\(check.output)")
            let incident = try await ap([
                "incident", "record", "--kind", "damage", "--severity", "low", "--where", "kitchen",
                "--what", "cupboard door off", "--done", "door removed", "--at", now.addingTimeInterval(-600).formatted(.iso8601), "-y",
            ])
            #expect(incident.output.contains("saved on this PC (4 waiting)"), "\(incident.output)")
            let offline = try await ap(["tonight"])
            #expect(
                offline.output.contains("OFFLINE — as of") && offline.output.contains("4 entries waiting")
                    && offline.output.contains("Sam Jones"),
                "\(offline.output)")
            let journal = folder.appendingPathComponent("ap/journal-night.jsonl")
            #expect((try FileManager.default.attributesOfItem(atPath: journal.path)[.posixPermissions] as? Int) == 0o600)
            let movementsBefore: Int = try await pool.query("SELECT count(*)::integer AS n FROM movement").first!.decode("n")
            #expect(movementsBefore == 0)

            // Back: the next command sends them, in order, each once, with the time it happened.
            server = try start()
            try await FaultTests.waitReady(base)
            let next = try await ap(["whoami"])
            #expect(next.output.contains("Sent 4 entries saved on this PC"), "\(next.output)")
            _ = try await ap(["sync"])
            let log = try await pool.query(
                """
                SELECT kind, occurred_at, recorded_at - occurred_at > interval '15 minutes' AS late FROM movement WHERE placement_id = \(world.placement) ORDER BY id
                """)
            #expect(try log.map { try $0.decode("kind", as: String.self) } == ["out", "in"])
            #expect(
                try log.map { try $0.decode("occurred_at", as: Date.self) } == [
                    curfew.addingTimeInterval(-3_600), curfew.addingTimeInterval(30 * 60),
                ])
            #expect(try log.allSatisfy { try $0.decode("late", as: Bool.self) })
            // The breach of the night the entries were saved for. (Sent while tonight's curfew has
            // already begun, the sign-out also leaves an open breach for tonight that its later
            // sign-in does not close: a known fault of re-evaluating late entries, left for its
            // own issue; this test asserts only the night it is about, whatever the hour.)
            let breach = try await pool.query(
                "SELECT window_start, minutes_late FROM curfew_breach WHERE placement_id = \(world.placement) AND window_start = \(curfew)")
            #expect(breach.count == 1)
            #expect(try breach.first?.decode("minutes_late", as: Int?.self) == 30)
            #expect(try breach.first?.decode("window_start", as: Date.self) == curfew)
            let rounds: Int = try await pool.query("SELECT count(DISTINCT round_due_at)::integer AS n FROM night_check").first!.decode("n")
            #expect(rounds == 1)
            let incidents: Int = try await pool.query("SELECT count(*)::integer AS n FROM incident WHERE summary = 'cupboard door off'")
                .first!.decode("n")
            #expect(incidents == 1)

            // A sign-in the service refuses when it arrives (he is already in) is kept and shown, not dropped;
            // and another member of staff signing in on this PC does not send it under their name.
            server.kill()
            _ = try await server.wait(upTo: .seconds(10))
            let again = try await ap(["in", "sam", "-y"])
            #expect(again.output.contains("saved on this PC (1 waiting)"), "\(again.output)")
            server = try start()
            try await FaultTests.waitReady(base)
            #expect(try await login("manager").status == 0)
            let audits: Int = try await pool.query("SELECT count(*)::integer AS n FROM audit_event WHERE action = 'movement.in'").first!
                .decode("n")
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

    /// The test world, Sam Jones resident since 30 hours ago.
    static func samArrived(_ pool: PostgresPool) async throws -> TestWorld {
        let world = try await TestWorld.make(pool: pool)
        let admin = try await world.fixtures.signIn("admin").principal
        _ = try await PlacementStore(pool: pool).arrive(
            world.placement, at: Date().addingTimeInterval(-30 * 3_600), keyWorkerID: nil,
            expectedVersion: nil, by: admin)
        return world
    }

    /// `ap serve` over `pool` on a port of its own, with its address; the breach job left to the test.
    static func serve(_ pool: PostgresPool) async throws -> (
        server: Subprocess.Running, base: String, start: @Sendable () throws -> Subprocess.Running
    ) {
        let port = try LocalCluster.freePort()
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = pool.settings.connectionString
        environment["AP_PORT"] = String(port)
        environment["LOG_LEVEL"] = "critical"
        environment["AP_BREACH_SCAN_SECONDS"] = "3600"
        let binary = try CommandLineTests.binary().path
        let start: @Sendable () throws -> Subprocess.Running = { [environment] in
            try Subprocess.start(binary, ["serve"], environment: environment)
        }
        let server = try start()
        let base = "http://127.0.0.1:\(port)"
        try await FaultTests.waitReady(base)
        return (server, base, start)
    }

    @Test(
        "an offline night typed without times: each entry is stored with the moment its command was typed, not when ap gave up or sent it")
    func offlineTimes() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await Self.samArrived(pool)
            let served = try await Self.serve(pool)
            var server = served.server
            let (base, start) = (served.base, served.start)
            defer { server.kill() }
            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("ap/config.json")
            // ap tries for 2 seconds before it saves: what it stores must not be those 2 seconds late.
            let slow = ["AP_OFFLINE_AFTER_SECONDS": "2", "AP_RETRY_SECONDS": "2"]
            func ap(_ arguments: [String], stdin: String? = nil) async throws -> (typed: Date, run: CommandLineTests.Run) {
                let typed = Date()
                return (typed, try await CommandLineTests.ap(arguments, config: config, stdin: stdin, environment: slow))
            }
            #expect(try await ap(["login", "night", "--server", base], stdin: Fixtures.password + "\n").run.status == 0)
            #expect(try await ap(["tonight"]).run.status == 0)
            // Sam has no entry since he arrived: he is in, and a sign-in is refused, naming why, writing nothing.
            let already = try await ap(["in", "sam", "-y"])
            #expect(already.run.status != 0 && already.run.output.contains("Sam Jones is in (arrived "), "\(already.run.output)")
            server.kill()
            _ = try await server.wait(upTo: .seconds(10))

            let out = try await ap(["out", "sam", "--to", "shop", "-y"])
            #expect(out.run.output.contains("saved on this PC (1 waiting)"), "\(out.run.output)")
            let check = try await ap(["check", "--due", "23:00", "-y"], stdin: "s")
            #expect(check.run.output.contains("saved on this PC (2 waiting)"), "\(check.run.output)")
            let incident = try await ap([
                "incident", "record", "--kind", "damage", "--severity", "low", "--where", "hall",
                "--what", "window cracked", "--done", "taped", "-y",
            ])
            #expect(incident.run.output.contains("saved on this PC (3 waiting)"), "\(incident.run.output)")
            let back = try await ap(["in", "sam", "-y"])
            #expect(back.run.output.contains("saved on this PC (4 waiting)"), "\(back.run.output)")
            let journal = try OfflineJournalReader.entries(folder.appendingPathComponent("ap/journal-night.jsonl"))
            #expect(journal.count == 4)
            #expect(
                zip(journal, [out, check, incident, back]).allSatisfy { $0.savedAt.timeIntervalSince($1.typed) >= 1.8 },
                "each was saved only after ap had tried for 2 seconds")
            let show = try await ap(["sync", "--show"])
            #expect(
                show.run.output.contains("HAPPENED") && !show.run.output.contains(" AM") && !show.run.output.contains(" PM"),
                "\(show.run.output)")

            try await Task.sleep(for: .seconds(2))
            server = try start()
            try await FaultTests.waitReady(base)
            let sent = try await ap(["whoami"])
            #expect(sent.run.output.contains("Sent 4 entries"), "\(sent.run.output)")
            let moves = try await pool.query(
                "SELECT occurred_at FROM movement WHERE placement_id = \(world.placement) ORDER BY occurred_at"
            )
            .map { try $0.decode("occurred_at", as: Date.self) }
            let observed: Date = try await pool.query("SELECT observed_at FROM night_check").first!.decode("observed_at")
            let happened: Date = try await pool.query("SELECT occurred_at FROM incident WHERE summary = 'window cracked'").first!.decode(
                "occurred_at")
            #expect(moves.count == 2)
            for (stored, typed) in zip(moves + [happened], [out.typed, back.typed, incident.typed]) {
                #expect(abs(stored.timeIntervalSince(typed)) < 1, "stored \(stored), typed \(typed)")
            }
            // A check's observation is the moment its key was pressed: after ap showed the round
            // (here at once, from stdin), before it was saved, and long before it was sent.
            #expect(
                observed >= check.typed.addingTimeInterval(-1) && observed <= journal[1].savedAt.addingTimeInterval(1),
                "observed \(observed), typed \(check.typed), saved \(journal[1].savedAt)")
        }
    }

    @Test(
        "offline work belongs to its service: nothing recorded from another service's list or too old a list, nothing sent to another service"
    )
    func offlineBelongsToItsService() async throws {
        try await TestDatabase.withDatabase { livePool in
            try await TestDatabase.withDatabase { trainingPool in
                var services = [(server: Subprocess.Running, base: String, start: @Sendable () throws -> Subprocess.Running)]()
                for pool in [livePool, trainingPool] {
                    let world = try await Self.samArrived(pool)
                    services.append(try await Self.serve(pool))
                }
                defer { for service in services { service.server.kill() } }
                let (live, training) = (services[0].base, services[1].base)
                let folder = try CommandLineTests.scratchFolder()
                defer { try? FileManager.default.removeItem(at: folder) }
                let config = folder.appendingPathComponent("ap/config.json")
                func ap(_ arguments: [String], stdin: String? = nil) async throws -> CommandLineTests.Run {
                    try await CommandLineTests.ap(
                        arguments, config: config, stdin: stdin, environment: ["AP_OFFLINE_AFTER_SECONDS": "1", "AP_RETRY_SECONDS": "1"])
                }
                func login(_ base: String) async throws {
                    let run = try await ap(["login", "night", "--server", base], stdin: Fixtures.password + "\n")
                    #expect(run.status == 0, "\(run.output)")
                }
                func movements(_ pool: PostgresPool) async throws -> Int {
                    try await pool.query("SELECT count(*)::integer AS n FROM movement").first!.decode("n")
                }
                func stop(_ index: Int) async throws {
                    services[index].server.kill()
                    _ = try await services[index].server.wait(upTo: .seconds(10))
                }
                func restart(_ index: Int) async throws {
                    services[index].server = try services[index].start()
                    try await FaultTests.waitReady(services[index].base)
                }

                // The list on this PC came from the live service; signed in to the training one, which then goes away.
                try await login(live)
                #expect(try await ap(["tonight"]).status == 0)
                try await login(training)
                try await stop(1)
                let refused = try await ap(["out", "sam", "-y"])
                #expect(
                    refused.status != 0 && refused.output.contains("came from another service (\(live))")
                        && refused.output.contains("Record on paper"), "\(refused.output)")
                #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("ap/journal-night.jsonl").path))

                // Recorded against the training service's own list: kept for it, and not sent to the live one.
                try await restart(1)
                #expect(try await ap(["tonight"]).status == 0)
                try await stop(1)
                let kept = try await ap(["out", "sam", "-y"])
                #expect(
                    kept.output.contains("saved on this PC (1 waiting)") && kept.output.contains("OFFLINE — residents as of"),
                    "\(kept.output)")
                try await login(live)
                let elsewhere = try await ap(["sync"])
                #expect(
                    elsewhere.output.contains("recorded for another service (\(training))")
                        && elsewhere.output.contains("--server \(training)"),
                    "\(elsewhere.output)")
                #expect(try await movements(livePool) == 0, "an entry for the training service reached the live one")
                try await restart(1)
                try await login(training)
                #expect(try await movements(trainingPool) == 1)
                #expect(try await movements(livePool) == 0)

                // A list older than a shift is not recorded against.
                #expect(try await ap(["tonight"]).status == 0)
                let snapshot = folder.appendingPathComponent("ap/offline-night.json")
                var json = try JSONSerialization.jsonObject(with: Data(contentsOf: snapshot)) as! [String: Any]
                json["fetchedAt"] = Date().addingTimeInterval(-13 * 3_600).formatted(.iso8601)
                try JSONSerialization.data(withJSONObject: json).write(to: snapshot)
                try await stop(1)
                let stale = try await ap(["in", "sam", "-y"])
                #expect(
                    stale.status != 0 && stale.output.contains("too old to record against") && stale.output.contains("13 hours ago"),
                    "\(stale.output)")
                #expect(try await movements(trainingPool) == 1)
            }
        }
    }
}

/// The saved times of a journal's entries, read as `ap` wrote them.
enum OfflineJournalReader {
    struct Saved: Decodable {
        var savedAt: Date
        var occurredAt: Date
    }
    struct Line: Decodable {
        var saved: Saved?
    }

    static func entries(_ file: URL) throws -> [Saved] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            try Date(
                try decoder.singleValueContainer().decode(String.self), strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        }
        return try String(decoding: Data(contentsOf: file), as: UTF8.self).split(separator: "\n")
            .compactMap { try decoder.decode(Line.self, from: Data($0.utf8)).saved }
    }
}
