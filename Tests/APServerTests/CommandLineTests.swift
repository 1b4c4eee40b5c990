import ApprovedPremises
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APServer

@Suite(
    "The ap command line against a running service", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct CommandLineTests {
    /// The `ap` executable built beside the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("ap")
    }

    struct Run {
        var status: Int32
        var output: String
    }

    /// The built `ap`, wherever the build put it beside the tests.
    static func binary() throws -> URL {
        let candidates = [
            executable, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ap"),
        ]
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw TestDatabaseError("the ap executable is not built next to the tests: run `swift build` first (Deploy/test.sh does)")
        }
        return binary
    }

    static func ap(_ arguments: [String], config: URL, stdin: String? = nil, environment extra: [String: String] = [:]) async throws -> Run
    {
        let binary = try binary()
        var environment = ProcessInfo.processInfo.environment
        environment["AP_CONFIG"] = config.path
        environment["AP_SERVER"] = nil
        environment.merge(extra) { $1 }
        let log = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-run-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let status = try await Subprocess.run(binary.path, arguments, environment: environment, output: log, input: stdin)
        return Run(status: status, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// A folder of its own for one test's `ap` configuration.
    static func scratchFolder() throws -> URL {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Signs `username` in with `ap login` against the test's service, in a config file of its own
    /// in `folder`; the path of that file.
    static func signedIn(_ username: String, to client: any TestClientProtocol, in folder: URL, _ fixtures: Fixtures) async throws -> URL {
        let config = folder.appendingPathComponent("\(username).json")
        let login = try await ap(
            ["login", username, "--server", "http://127.0.0.1:\(try #require(client.port))"], config: config,
            stdin: try await fixtures.loginInput(username))
        #expect(login.status == 0, "\(login.output)")
        return config
    }

    @Test("ap login keeps the token in a file only its owner can read; whoami, staff list and logout work over HTTP")
    func loginWhoamiLogout() async throws {
        try await withApp(.live) { client, world in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let folder = try Self.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("ap/config.json")

            let wrong = try await Self.ap(["login", "manager", "--server", server], config: config, stdin: "not-the-password\n")
            #expect(wrong.status != 0)
            #expect(wrong.output.contains("username or password is wrong"))

            let login = try await Self.ap(
                ["login", "manager", "--server", server], config: config, stdin: try await world.fixtures.loginInput("manager"))
            #expect(login.status == 0, "\(login.output)")
            let attributes = try FileManager.default.attributesOfItem(atPath: config.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let saved = try String(contentsOf: config, encoding: .utf8)
            #expect(saved.contains("\"token\""))

            let whoami = try await Self.ap(["whoami", "--json"], config: config)
            #expect(whoami.status == 0, "\(whoami.output)")
            #expect(whoami.output.contains("\"username\" : \"manager\""))

            let text = try await Self.ap(["whoami"], config: config)
            #expect(text.output.contains("Premises ELM (ELM)"))

            let board = try await Self.ap(["beds", "board", "--from", "\(testDay(0))", "--nights", "7"], config: config)
            #expect(board.status == 0, "\(board.output)")
            #expect(board.output.contains("Room 1/1"))
            #expect(board.output.contains("out of service"))

            let staff = try await Self.ap(["staff", "list"], config: config)
            #expect(staff.status == 0, "\(staff.output)")
            #expect(staff.output.contains("night"))
            #expect(!staff.output.contains("oak.manager"))

            let refused = try await Self.ap(
                ["staff", "add", "x.y", "--name", "X", "--role", "referral_manager"], config: config, stdin: "a-long-password\n")
            #expect(refused.status != 0)
            #expect(refused.output.contains("may not do this"))

            // Two POSTs in one command: each gets its own Idempotency-Key.
            let night = try await world.fixtures.signIn("night").principal
            for shift in ["day", "late"] {
                _ = try await HandoverStore(pool: world.pool).write(
                    premisesID: world.elm, shift: shift, notes: "\(shift) was quiet",
                    watch: [], tasks: [], by: night)
            }
            let ack = try await Self.ap(["handover", "ack"], config: config)
            #expect(ack.status == 0, "\(ack.output)")
            #expect(ack.output.contains("Acknowledged 2 handovers"))

            let logout = try await Self.ap(["logout"], config: config)
            #expect(logout.status == 0)
            let after = try await Self.ap(["whoami"], config: config)
            #expect(after.status != 0)
            #expect(after.output.contains("not signed in"))
            let sessions: Int = try await world.pool.query(
                "SELECT count(*)::integer AS n FROM staff_session ss JOIN staff s ON s.id = ss.staff_id WHERE s.username = 'manager' AND ss.revoked_at IS NOT NULL"
            ).first!.decode("n")
            #expect(sessions == 1)
        }
    }

    @Test("an administrator adds an account with ap staff add, the password read from stdin")
    func staffAdd() async throws {
        try await withApp(.live) { client, world in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("config.json")
            #expect(
                try await Self.ap(
                    ["login", "admin", "--server", server], config: config, stdin: try await world.fixtures.loginInput("admin")
                ).status == 0)
            let add = try await Self.ap(
                ["staff", "add", "jo.smith", "--name", "Jo Smith", "--role", "residential_worker", "--premises", "ELM"],
                config: config, stdin: "a-long-password\n")
            #expect(add.status == 0, "\(add.output)")
            let stored: String = try await world.pool.query("SELECT role FROM staff WHERE username = 'jo.smith'").first!.decode("role")
            #expect(stored == "residential_worker")
            let again = try await Self.ap(
                ["staff", "add", "jo.smith", "--name", "Jo Smith", "--role", "residential_worker", "--premises", "ELM"],
                config: config, stdin: "a-long-password\n")
            #expect(again.status != 0)
            #expect(again.output.contains("username is taken"))
            let match = try await Self.ap(["match", world.referral.uuidString], config: config)
            #expect(match.status == 0, "\(match.output)")
            #expect(match.output.contains("Stay \(testDay(62)) to \(testDay(76))"))
            #expect(match.output.contains("Premises ELM (ELM)"))
            let queue = try await Self.ap(["referrals", "list", "--status", "ready_to_match"], config: config)
            #expect(queue.output.contains("Robin Reed"))

            let badRole = try await Self.ap(["staff", "add", "x", "--name", "X", "--role", "wizard"], config: config)
            #expect(badRole.status != 0)
            #expect(badRole.output.contains("'wizard' is invalid for '--role") && badRole.output.contains("regional_manager"))
        }
    }

    @Test(
        "an ambiguous WHO is a question, never someone who has left; someone who left is found only when no resident matches, and said so")
    func whoIsAsked() async throws {
        try await withApp(.live) { client, world in
            let folder = try Self.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let principal = try await world.fixtures.signIn("manager").principal
            let referrals = try await world.fixtures.signIn("referrals").principal
            let store = PlacementStore(pool: world.pool)
            // Sid Kerr stayed in November and left; Sam Jones and Eli Fraser are resident now.
            let sid = try await store.book(
                NewPlacement(
                    premisesID: world.elm, crn: "X000002", personName: "Sid Kerr",
                    expectedArrival: testDay(-21), expectedDeparture: testDay(-11)),
                by: principal)
            _ = try await store.arrive(
                sid.id, at: try Date("\(testDay(-21))T15:00:00Z", strategy: .iso8601), keyWorkerID: nil, expectedVersion: nil, by: principal
            )
            _ = try await store.depart(
                sid.id, .init(departedAt: try Date("\(testDay(-12))T10:00:00Z", strategy: .iso8601), reason: "O", moveOnCategory: "MC04"),
                expectedVersion: nil, by: principal)
            _ = try await store.arrive(
                world.placement, at: Date().addingTimeInterval(-3600), keyWorkerID: nil, expectedVersion: nil, by: principal)
            let eli = try await store.book(
                NewPlacement(
                    premisesID: world.elm, crn: "X000003", personName: "Eli Fraser",
                    expectedArrival: CalendarDate.today(in: Premises.defaultTimeZone),
                    expectedDeparture: CalendarDate.today(in: Premises.defaultTimeZone).adding(days: 5),
                    overbookingReason: "test: a second resident"), by: referrals)
            _ = try await store.arrive(eli.id, at: Date().addingTimeInterval(-1800), keyWorkerID: nil, expectedVersion: nil, by: principal)
            let manager = try await Self.signedIn("manager", to: client, in: folder, world.fixtures)

            let ambiguous = try await Self.ap(["resident", "s"], config: manager)
            #expect(
                ambiguous.status != 0 && ambiguous.output.contains("could be") && !ambiguous.output.contains("Sid Kerr"),
                "\(ambiguous.output)")
            let left = try await Self.ap(["resident", "kerr"], config: manager)
            #expect(
                left.status == 0 && left.output.contains("Sid Kerr (X000002)") && left.output.contains("left on \(testDay(-12))"),
                "\(left.output)")
        }
    }

    @Test("placement commands take the person: an arrival by name with a key worker, a departure by initials")
    func placementsByPerson() async throws {
        try await withApp(.live) { client, world in
            let folder = try Self.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let manager = try await Self.signedIn("manager", to: client, in: folder, world.fixtures)
            let arrive = try await Self.ap(["placements", "arrive", "sam", "--key-worker", "keyworker"], config: manager)
            #expect(
                arrive.status == 0 && arrive.output.contains("Arrived: Sam Jones") && arrive.output.contains("arrived 20"),
                "\(arrive.output)")
            let keyWorker = try await world.pool.query("SELECT key_worker_id FROM placement WHERE id = \(world.placement)").first!
                .decode("key_worker_id", as: UUID?.self)
            #expect(keyWorker == world.staff["keyworker"]!.id)
            let depart = try await Self.ap(["placements", "depart", "sj", "--reason", "O", "--move-on", "MC04"], config: manager)
            #expect(
                depart.status == 0 && depart.output.contains("Departed: Sam Jones") && depart.output.contains("left 20"), "\(depart.output)"
            )
        }
    }

    @Test("bad input to ap is refused with a sentence before anything is sent: no crash, nothing stored")
    func badInputNeverCrashes() async throws {
        try await withApp(.live) { client, world in
            let folder = try Self.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let principal = try await world.fixtures.signIn("manager").principal
            _ = try await PlacementStore(pool: world.pool).arrive(
                world.placement, at: Date().addingTimeInterval(-3600), keyWorkerID: nil,
                expectedVersion: nil, by: principal)
            let manager = try await Self.signedIn("manager", to: client, in: folder, world.fixtures)
            let cases: [(arguments: [String], says: String)] = [
                (["handover", "write", "--shift", "night", "--watch", "sj:"], "--watch takes WHO: why"),
                (["handover", "write", "--shift", "night", "--watch", ":"], "--watch takes WHO: why"),
                (["tests", "results", "sj", "alcohol=positive:1e308"], "a reading is a number from 0 to 500"),
                (["tests", "results", "sj", "alcohol=positive:nan"], "a reading is a number from 0 to 500"),
                (["tests", "results", "sj", "alcohol=positive:abc"], "a reading is a number from 0 to 500"),
                (["tests", "results", "sj", "alcohol="], "give each result as substance=result"),
                (["placements", "arrive", ""], "say which placement"),
                (["placements", "arrive", "nobody-like-this"], "nobody expected here this week matches"),
                (["placements", "depart", "nonsense", "--reason", "O"], "no resident here matches"),
                (["placements", "allocate", "nonsense", "--bed", "x"], "a placement is named by its id"),
                (["out", "sj", "--at", "25:00"], "give the time as HH:MM"),
                (["incident", "list", "--since", "2026-02-30"], "must be a real date"),
            ]
            for (arguments, says) in cases {
                let run = try await Self.ap(arguments, config: manager, stdin: "")
                #expect(run.status != 0 && run.status < 128, "ap \(arguments) exited \(run.status): \(run.output)")
                #expect(run.output.contains(says), "ap \(arguments): \(run.output)")
                #expect(!run.output.contains("Fatal error"), "ap \(arguments) crashed: \(run.output)")
            }
            let stored = try await world.pool.query(
                "SELECT (SELECT count(*) FROM handover) + (SELECT count(*) FROM substance_test_result) AS n")
            #expect(try stored.first!.decode("n", as: Int.self) == 0)
        }
    }

    @Test("ap reads and shows times in the premises' time zone, which it learns from the service")
    func premisesTimeZone() async throws {
        try await withApp(.live) { client, world in
            let folder = try Self.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let principal = try await world.fixtures.signIn("manager").principal
            _ = try await PlacementStore(pool: world.pool).arrive(
                world.placement, at: Date().addingTimeInterval(-3600), keyWorkerID: nil,
                expectedVersion: nil, by: principal)
            // Elm House moves to New York: five hours behind London in December.
            try await world.pool.execute("UPDATE premises SET time_zone = 'America/New_York' WHERE id = \(world.elm)")
            var newYork = Calendar(identifier: .gregorian)
            newYork.timeZone = TimeZone(identifier: "America/New_York")!
            let now = newYork.dateComponents([.hour, .minute], from: Date())
            let minutes = max(0, now.hour! * 60 + now.minute! - 2)
            let clock = String(format: "%02d:%02d", minutes / 60, minutes % 60)
            let expected = newYork.date(bySettingHour: minutes / 60, minute: minutes % 60, second: 0, of: Date())!

            let night = try await Self.signedIn("night", to: client, in: folder, world.fixtures)
            let whoami = try await Self.ap(["whoami"], config: night)
            #expect(whoami.output.contains("America/New_York"), "\(whoami.output)")
            let out = try await Self.ap(["out", "sj", "--at", clock, "-y"], config: night)
            #expect(out.status == 0 && out.output.contains("signed out at \(clock)"), "\(out.output)")
            let recorded = try await world.pool.query("SELECT occurred_at FROM movement WHERE placement_id = \(world.placement)")
                .first!.decode("occurred_at", as: Date.self)
            #expect(abs(recorded.timeIntervalSince(expected)) < 1, "\(clock) in New York was stored as \(recorded)")
            let tonight = try await Self.ap(["tonight"], config: night)
            #expect(tonight.output.contains("Sam Jones") && tonight.output.contains(clock), "\(tonight.output)")
        }
    }

    @Test(
        "a night shift with ap: out, tonight, a check round with one key per resident, in, an incident, a handover; verify catches a check altered in SQL"
    )
    func nightShift() async throws {
        try await withApp(.live) { client, world in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let folder = try Self.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let night = folder.appendingPathComponent("night.json")
            let manager = folder.appendingPathComponent("manager.json")

            // Sam Jones arrived an hour ago; rounds are due hourly from the start of this hour, whatever the time of day.
            let principal = try await world.fixtures.signIn("manager").principal
            _ = try await PlacementStore(pool: world.pool).arrive(
                world.placement, at: Date().addingTimeInterval(-3600), keyWorkerID: nil,
                expectedVersion: nil, by: principal)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "Europe/London")!
            let hour = calendar.component(.hour, from: Date())
            try await world.pool.execute(
                """
                UPDATE premises SET night_check_start = \(String(format: "%02d:00", hour))::time,
                    night_check_end = \(String(format: "%02d:00", (hour + 4) % 24))::time, night_check_interval_minutes = 60
                WHERE id = \(world.elm)
                """)

            #expect(try await Self.ap(["login", "night", "--server", server], config: night, stdin: Fixtures.password + "\n").status == 0)
            #expect(
                try await Self.ap(
                    ["login", "manager", "--server", server], config: manager, stdin: try await world.fixtures.loginInput("manager")
                ).status == 0)

            let out = try await Self.ap(["out", "sj", "--to", "the shop", "--json"], config: night)
            #expect(out.status == 0, "\(out.output)")
            #expect(out.output.contains("\"kind\" : \"out\""))
            let tonight = try await Self.ap(["tonight"], config: night)
            #expect(tonight.output.contains("Sam Jones") && tonight.output.contains("the shop"), "\(tonight.output)")

            let check = try await Self.ap(["check", "-y"], config: night, stdin: "o")
            #expect(check.status == 0, "\(check.output)")
            #expect(check.output.contains("recorded: 1 not in room"), "\(check.output)")
            let again = try await Self.ap(["check", "-y"], config: night, stdin: "s")
            #expect(again.status != 0 && again.output.contains("already recorded"), "\(again.output)")
            let checks = try await Self.ap(["checks", "--json"], config: night)
            #expect(checks.output.contains("\"observation\" : \"not_in_room\""), "\(checks.output)")

            let back = try await Self.ap(["in", "sam"], config: night)
            #expect(back.status == 0 && back.output.contains("Sam Jones signed in"), "\(back.output)")

            let incident = try await Self.ap(
                [
                    "incident", "record", "--kind", "damage", "--severity", "low", "--where", "kitchen", "--resident", "sj",
                    "--what", "cupboard door pulled off", "--done", "door removed, repair booked", "--told", "manager on call",
                ],
                config: night)
            #expect(incident.status == 0 && incident.output.contains("recorded"), "\(incident.output)")
            let badKind = try await Self.ap(
                ["incident", "record", "--kind", "fight", "--severity", "low", "--where", "hall", "--what", "x", "--done", "y"],
                config: night)
            #expect(
                badKind.status != 0 && badKind.output.contains("'fight' is invalid for '--kind")
                    && badKind.output.contains("violence_or_threats"), "\(badKind.output)")

            let handover = try await Self.ap(
                ["handover", "write", "--shift", "night", "--watch", "sj: out late, quiet since"], config: night,
                stdin: "Quiet night. Kitchen cupboard door off.\n")
            #expect(handover.status == 0, "\(handover.output)")

            let verified = try await Self.ap(["verify"], config: manager)
            #expect(verified.status == 0, "\(verified.output)")
            #expect(verified.output.contains("night checks: 1 entry, all hold"), "\(verified.output)")
            #expect(verified.output.contains("incident log: 1 entry, all hold"), "\(verified.output)")
            try await world.pool.withConnection { connection in
                try await connection.execute("SET session_replication_role = replica")
                try await connection.execute("UPDATE night_check SET observation = 'seen'")
                try await connection.execute("SET session_replication_role = origin")
            }
            let tampered = try await Self.ap(["verify"], config: manager)
            #expect(tampered.status != 0)
            #expect(
                tampered.output.contains("changed after it was recorded") && tampered.output.contains("tampered with: night checks"),
                "\(tampered.output)")
        }
    }

    @Test(
        "a key worker with ap: a session with an action, what is due, a missed test, a flag for move-on, the record and the departure summary"
    )
    func keyWorkerDay() async throws {
        try await withApp(.live) { client, world in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let folder = try Self.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("keyworker.json")
            let manager = try await world.fixtures.signIn("manager").principal
            // Sam Jones arrived 20 days ago and is due to leave in 10: inside the four weeks, with no address yet.
            let london = TimeZone(identifier: "Europe/London")!
            let today = CalendarDate.today(in: london)
            let placements = PlacementStore(pool: world.pool)
            _ = try await placements.changeDates(
                world.placement, arrival: today.adding(days: -20), departure: today.adding(days: 10),
                expectedVersion: nil, by: manager)
            _ = try await placements.arrive(
                world.placement, at: Date().addingTimeInterval(-20 * 86_400), keyWorkerID: world.staff["keyworker"]!.id,
                expectedVersion: nil, by: manager)
            _ = try await TestingStore(pool: world.pool).authorise(
                premisesID: world.elm, reasons: ["random"], from: today.adding(days: -30),
                until: nil, note: "policy", by: manager)
            #expect(
                try await Self.ap(["login", "keyworker", "--server", server], config: config, stdin: Fixtures.password + "\n").status == 0)

            let due = try await Self.ap(["keywork", "due", "--mine"], config: config)
            #expect(due.output.contains("Sam Jones") && due.output.contains("13 days"), "\(due.output)")
            let session = try await Self.ap(
                [
                    "keywork", "record", "sj", "--kind", "move_on_planning", "--minutes", "40", "--notes", "Looked at CAS3",
                    "--action", "Fill in the CAS3 form | resident | +3", "--next", "+7",
                ], config: config)
            #expect(session.status == 0 && session.output.contains("1 action"), "\(session.output)")
            let after = try await Self.ap(["keywork", "due", "--mine"], config: config)
            #expect(after.output.contains("No key-work session is due"), "\(after.output)")

            let missed = try await Self.ap(
                ["tests", "record", "sj", "--reason", "random", "--sample", "breath", "--missed", "resident_absent"], config: config)
            #expect(missed.status == 0 && missed.output.contains("missed: resident absent"), "\(missed.output)")
            let blank = try await Self.ap(["tests", "record", "sj", "--reason", "random", "--sample", "breath"], config: config)
            #expect(blank.status != 0 && blank.output.contains("--taken or --missed"), "\(blank.output)")

            let flags = try await Self.ap(["moveon", "flags"], config: config)
            #expect(flags.output.contains("Sam Jones") && flags.output.contains("10"), "\(flags.output)")
            #expect(try await Self.ap(["moveon", "pathway", "sj", "cas3_referral"], config: config).status == 0)
            let applied = try await Self.ap(["moveon", "update", "sj", "cas3_referral", "applied", "--note", "form sent"], config: config)
            #expect(applied.output.contains("cas3 referral: applied"), "\(applied.output)")
            _ = try await Self.ap(["moveon", "address", "sj", "Flat 1, 2 Hope Street, Manchester"], config: config)
            #expect(try await Self.ap(["moveon", "flags"], config: config).output.contains("Nobody is within four weeks"))

            let record = try await Self.ap(["resident", "sam"], config: config)
            #expect(
                record.output.contains("Key work: move on planning, 40 minutes") && record.output.contains("missed, resident absent")
                    && record.output.contains("Address confirmed: Flat 1, 2 Hope Street"), "\(record.output)")
            let summary = try await Self.ap(["resident", "sam", "--summary"], config: config)
            #expect(
                summary.output.contains("Departure summary: Sam Jones (X000001)") && summary.output.contains("1 missed")
                    && summary.output.contains("Fill in the CAS3 form (resident"), "\(summary.output)")
        }
    }
}
