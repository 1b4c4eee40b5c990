import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@testable import APServer

/// Retention applied to a person taken through every state the service knows (the subject
/// access journey), with the schedule at zero years so that their stay, ended three days ago,
/// is past it: their personal data is gone from every table, other people's is untouched, the
/// reports' figures and the logs' proof hold.
@Suite("Retention: erasure past the schedule", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct RetentionTests {
    /// Everything the journey wrote that is the person's own: identifiers and free text.
    static let theirs = [
        "S000001", "Morgan Price", "A1234BC", "1985-06-01", "No contact with the victim", "alcohol, in recovery", "Dr Shah, Fallowfield",
        "bed not slept in", "first warning", "Talked through the breach", "Attend CGL drop-in", "LAB-77", "Manchester City Council",
        "one-bed flat", "Flat 4, 2 Oak Road", "signed in at the wrong time",
    ]

    /// Tables whose rows live far shorter than any retention period, and so never hold the data of
    /// someone past it (a form's answers two hours, a request's first answer a day); the journey
    /// here is three days old to the schedule, minutes old to them.
    static let shortLived = ["form_draft", "idempotency_record"]

    /// Every row of every table, as text, by table: to compare what changed.
    static func snapshot(_ pool: PostgresPool) async throws -> [String: Set<String>] {
        var rows = [String: Set<String>]()
        let tables = try await pool.query(
            "SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1")
        for table in tables {
            let name: String = try table.decode("name")
            rows[name] = Set(
                try await pool.query("SELECT to_jsonb(x)::text AS row FROM \(unsafeSQL: name) x").map {
                    try $0.decode("row", as: String.self)
                })
        }
        return rows
    }

    /// The rows of a snapshot that name a stay or a CRN (the id in either case), by table; the audit
    /// log's copies of records shared with `apartFrom`'s resident (a night's round, an incident) are
    /// left out, as they go with the first resident erased.
    static func rows(of stay: UUID, crn: String, apartFrom shared: UUID, in snapshot: [String: Set<String>]) -> [String: Set<String>] {
        func names(_ id: UUID, _ row: String) -> Bool { row.contains(id.uuidString) || row.contains(id.uuidString.lowercased()) }
        return snapshot.compactMapValues { rows in
            let found = rows.filter { (names(stay, $0) || $0.contains(crn)) && !($0.contains("\"entity\"") && names(shared, $0)) }
            return found.isEmpty ? nil : found
        }
    }

    /// Where each of `needles` is still found: `table.column` for every text, JSON, array and date
    /// column of every table (the short-lived ones apart).
    static func scan(_ pool: PostgresPool, for needles: [String]) async throws -> [String] {
        let columns = try await pool.query(
            """
            SELECT table_name, column_name FROM information_schema.columns c
            JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = 'public'::regnamespace AND k.relkind = 'r'
            WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'date')
              AND NOT (c.table_name = ANY (\(shortLived)::text[]))
            ORDER BY 1, 2
            """)
        let patterns = needles.map { "%\($0)%" }
        var found = [String]()
        for column in columns {
            let table: String = try column.decode("table_name")
            let name: String = try column.decode("column_name")
            let hits = try await pool.query(
                """
                SELECT string_agg(DISTINCT n, ', ') AS hits FROM \(unsafeSQL: table) x, unnest(\(patterns)::text[]) AS n
                WHERE x.\(unsafeSQL: "\"\(name)\"")::text ILIKE n
                """)[0].decode("hits", as: String?.self)
            if let hits { found.append("\(table).\(name): \(hits)") }
        }
        return found
    }

    /// The reports' figures over the journey's weeks, nationally and at Elm, as JSON with sorted keys.
    static func figures(_ pool: PostgresPool, _ admin: Principal, elm: UUID) async throws -> [String] {
        let reports = ReportStore(pool: pool)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        var figures = [String]()
        for scope in [ReportScope.country, .premises(elm)] {
            let (from, to) = (testDay(-60), testDay(20))
            figures.append(try json(try await reports.occupancy(scope, from: from, to: to, period: .week, by: admin, now: Date())))
            figures.append(try json(try await reports.moveOn(scope, from: from, to: to, period: .week, by: admin)))
            figures.append(try json(try await reports.operations(scope, from: from, to: to, period: .week, by: admin)))
        }
        return figures
    }

    @Test(
        "erased past the schedule: nothing of theirs in any column, others untouched, reports unchanged, verify and checkpoints hold, idempotent; a dry run writes nothing"
    )
    func erasure() async throws {
        try await withApp(.live) { client, world in
            let journey = try await SubjectAccessTests.journey(world)
            let pool = world.pool
            let admin = try await world.fixtures.signIn("admin").principal
            // A read for the access log, an e-mail in the outbox, and every chain checkpointed.
            _ = try await ResidentRecordStore(pool: pool).timeline(journey.stay, by: try await world.fixtures.signIn("manager").principal)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let chains = LogChainStore(
                pool: pool, checkpoints: CheckpointSettings(key: CheckpointKey(), folder: CheckpointFolder(path: folder)))
            #expect(try await chains.checkpoint() > 0)
            #expect(try await Self.scan(pool, for: Self.theirs).count > 10, "the journey wrote the person's data where the scan looks")

            let schedule = RetentionSchedule(stays: 0, referrals: 0)
            let store = RetentionStore(pool: pool)
            let figures = try await Self.figures(pool, admin, elm: world.elm)
            let other = Self.rows(of: journey.other, crn: "S000002", apartFrom: journey.stay, in: try await Self.snapshot(pool))

            // The dry run: who and what, and nothing written.
            var before = try await Self.snapshot(pool)
            let due = try await store.due(schedule)
            #expect(due.map(\.crn) == ["S000001"], "\(due)")
            #expect(due.first?.names == ["Morgan Price"] && due.first?.kind == "stays" && due.first?.lastEndedOn == testDay(-3))
            #expect(
                due.first?.records["movement"] == 1 && due.first?.records["referral"] == 1 && (due.first?.records["audit_event"] ?? 0) > 10,
                "\(due)")
            #expect(try await Self.snapshot(pool) == before, "the dry run wrote something")
            #expect(try await store.due(RetentionSchedule(stays: 1, referrals: 1)).isEmpty, "a stay ended three days ago is not a year old")

            // Applied: one pseudonym, the same counts; then nothing of theirs anywhere.
            let erased = try await store.apply(schedule, erasedBy: "the retention test")
            #expect(
                erased.count == 1 && erased[0].crn.hasPrefix("ERASED-") && erased[0].records == due[0].records && erased[0].names.isEmpty)
            let left = try await Self.scan(pool, for: Self.theirs)
            #expect(left.isEmpty, "still held after erasure: \(left)")
            // The incident names another resident still here: its text stays until they are erased too.
            let incident: String = try await pool.query("SELECT summary FROM incident ORDER BY id DESC LIMIT 1")[0].decode("summary")
            #expect(incident == "raised voices over the television")

            // Other people untouched; the reports' figures the same; every chain and checkpoint holds.
            let afterOther = Self.rows(of: journey.other, crn: "S000002", apartFrom: journey.stay, in: try await Self.snapshot(pool))
            #expect(afterOther == other && other.values.joined().count > 3, "another person's rows changed")
            let figuresAfter = try await Self.figures(pool, admin, elm: world.elm)
            #expect(figuresAfter == figures, "a report's figures changed: \(zip(figures, figuresAfter).filter { $0 != $1 })")
            let report = try await chains.verify(premisesID: world.elm, by: admin)
            #expect(report.problems.isEmpty && report.checkpoints > 0, "\(report.problems)")
            #expect(try await chains.verifyNational(by: admin).problems.isEmpty)
            #expect(try await chains.checkpoint() >= 0)

            // Recorded and audited: who, when, how many; and the CRN nowhere in the record of it.
            let record = try await pool.query("SELECT pseudonym, kind, erased_by, records::text AS records FROM erasure")
            let by = try record.first?.decode("erased_by", as: String.self)
            #expect(record.count == 1 && by == "the retention test")
            let audited = try await pool.query("SELECT after::text AS after FROM audit_event WHERE action = 'retention.erase'")
            let after = try audited.first?.decode("after", as: String.self)
            #expect(audited.count == 1 && after?.contains(erased[0].crn) == true && after?.contains("S000001") == false)

            // Again: nobody is due, nothing changes.
            before = try await Self.snapshot(pool)
            #expect(try await store.apply(schedule, erasedBy: "the retention test").isEmpty)
            #expect(try await Self.snapshot(pool) == before, "applying it twice changed something")

            // The append-only logs still refuse any change that is not an erasure, even inside one.
            let marked: Int = try await pool.query("SELECT count(*)::integer AS n FROM movement WHERE erased_at IS NOT NULL")[0].decode("n")
            #expect(marked == 1)
            for statement: SQL in [
                "UPDATE movement SET occurred_at = occurred_at - interval '1 hour' WHERE erased_at IS NOT NULL",
                "UPDATE night_check SET note = 'written again' WHERE note = 'erased'",
                "UPDATE audit_event SET action = 'forged' WHERE before IS NULL",
                "DELETE FROM key_work_session",
            ] {
                await #expect(throws: PostgresError.self, "\(statement)") {
                    try await pool.transaction { connection in
                        _ = try await connection.query("SELECT set_config('ap.erasing', 'on', true)")
                        _ = try await connection.execute(statement)
                    }
                }
            }

            // The other resident leaves and is erased too: now the incident's text goes, and the chains still hold.
            let manager = try await world.fixtures.signIn("manager").principal
            _ = try await PlacementStore(pool: pool).depart(
                journey.other, .init(departedAt: Date().addingTimeInterval(-3_600), reason: "O", moveOnCategory: "MC02"),
                expectedVersion: nil,
                by: manager)
            let second = try await store.apply(schedule, erasedBy: "the retention test")
            #expect(second.count == 1 && second[0].records["incident"] == 1, "\(second)")
            #expect(try await Self.scan(pool, for: ["S000002", "Alex Other", "raised voices"]).isEmpty)
            #expect(try await chains.verify(premisesID: world.elm, by: admin).problems.isEmpty)

            // What erasure may do, a superuser may not pass off: a sealed field changed, or written
            // again once erased, is named by verify though every hash is left as it was.
            for (statement, said) in [
                ("UPDATE night_check SET note = 'seen in the lounge' WHERE note = 'erased'", "note was written again after it was erased"),
                (
                    "UPDATE movement SET destination = 'the shop' WHERE id = (SELECT max(id) FROM movement)",
                    "destination was filled in after"
                ),
            ] {
                try await pool.withConnection { connection in
                    try await connection.execute("SET session_replication_role = replica")
                    _ = try await connection.execute(SQL(unsafeSQL: statement))
                    try await connection.execute("RESET session_replication_role")
                }
                let caught = try await chains.verify(premisesID: world.elm, by: admin).problems.map(\.problem)
                #expect(caught.contains { $0.contains(said) }, "\(statement): \(caught)")
            }
            _ = client
        }
    }

    @Test(
        "the service erases by itself at start (then daily) under AP_RETENTION; a schedule that is not one stops it starting, naming the part"
    )
    func job() async throws {
        try await withApp(.live) { _, world in
            _ = try await SubjectAccessTests.journey(world)
            let port = try LocalCluster.freePort()
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = world.pool.settings.connectionString
            environment["AP_PORT"] = String(port)
            environment["AP_BREACH_SCAN_SECONDS"] = "3600"
            environment["AP_RETENTION"] = "stays=0,years=2"
            let binary = try CommandLineTests.binary().path
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("ap-retention-\(UUID().uuidString).log")
            defer { try? FileManager.default.removeItem(at: log) }
            let refused = try await Subprocess.run(binary, ["serve"], environment: environment, output: log)
            let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(refused != 0 && said.contains("not \"years\""), "\(said)")

            environment["AP_RETENTION"] = "stays=0,referrals=0"
            var server = try Subprocess.start(binary, ["serve"], environment: environment)
            defer { server.kill() }
            try await FaultTests.waitReady("http://127.0.0.1:\(port)")
            var erased = [PostgresRow]()
            for _ in 0..<50 where erased.isEmpty {
                erased = try await world.pool.query("SELECT erased_by FROM erasure")
                if erased.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
            }
            let by = try erased.first?.decode("erased_by", as: String.self)
            #expect(erased.count == 1 && by == "the service's daily retention job", "\(erased.count)")
            #expect(try await Self.scan(world.pool, for: ["S000001", "Morgan Price"]).isEmpty)
            server.terminate()
            _ = try await server.wait(upTo: .seconds(10))
        }
    }

    @Test("ap db retention: --dry-run lists, --apply erases, a bad schedule is refused naming it")
    func commandLine() async throws {
        try await withApp(.live) { _, world in
            _ = try await SubjectAccessTests.journey(world)
            let database: String = try await world.pool.query("SELECT current_database() AS name")[0].decode("name")
            let server = try #require(ProcessInfo.processInfo.environment["AP_TEST_DATABASE_URL"])
            let url = String(server[..<(server.lastIndex(of: "/") ?? server.endIndex)]) + "/" + database
            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let config = folder.appendingPathComponent("none.json")
            let environment = ["DATABASE_URL": url, "AP_RETENTION": "stays=0,referrals=0"]

            var run = try await CommandLineTests.ap(["db", "retention", "--dry-run"], config: config, environment: environment)
            #expect(
                run.status == 0 && run.output.contains("Past it: 1 person") && run.output.contains("S000001  Morgan Price"), "\(run.output)"
            )
            #expect(run.output.contains("A dry run: nothing was written."))
            run = try await CommandLineTests.ap(
                ["db", "retention", "--dry-run", "--schedule", "stays=0,years=3"], config: config, environment: environment)
            #expect(run.status != 0 && run.output.contains("not \"years\""), "\(run.output)")
            run = try await CommandLineTests.ap(["db", "retention"], config: config, environment: environment)
            #expect(run.status != 0 && run.output.contains("--dry-run or --apply"), "\(run.output)")
            run = try await CommandLineTests.ap(["db", "retention", "--apply"], config: config, environment: environment)
            #expect(
                run.status == 0 && run.output.contains("Erased 1 person.") && run.output.contains("ERASED-")
                    && !run.output.contains("S000001"), "\(run.output)")
            run = try await CommandLineTests.ap(["db", "retention", "--dry-run", "--json"], config: config, environment: environment)
            #expect(
                run.status == 0 && run.output.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || run.output.contains("[]"),
                "\(run.output)")
        }
    }
}
