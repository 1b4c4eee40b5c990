import APDemoData
import ApprovedPremises
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestSupport
import Testing

@testable import APServer

/// The database's own administrator tampers with the logs: on a copy of the demo (with more
/// entries by Elm House's manager, and checkpointed), as a superuser with the triggers off unless
/// a case says otherwise, each kind of change is made to each log, then `ap verify` runs against
/// the real service as the regional manager (whose own sign-in lands on the national audit chain,
/// not Elm's) and must name it.
@Suite(
    "Tampering with the logs as the database's superuser",
    .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct TamperTests {
    /// A chained log: its table, its name in `ap verify`'s report, a time column and a column
    /// whose change changes what the entry says.
    enum Log: String, CaseIterable, Sendable {
        // The cases are the tables' own names.
        // swift-format-ignore: AlwaysUseLowerCamelCase
        case movement, night_check, incident, audit_event

        var name: String {
            ["movement": "curfew log", "night_check": "night checks", "incident": "incident log", "audit_event": "audit log"][rawValue]!
        }
        var time: String {
            ["movement": "occurred_at", "night_check": "observed_at", "incident": "occurred_at", "audit_event": "occurred_at"][rawValue]!
        }
        var kind: (column: String, value: String) {
            switch self {
            case .movement: ("kind", "CASE kind WHEN 'out' THEN 'in' ELSE 'out' END")
            case .night_check: ("observation", "CASE observation WHEN 'seen' THEN 'not_seen' ELSE 'seen' END")
            case .incident: ("severity", "CASE severity WHEN 'low' THEN 'critical' ELSE 'low' END")
            case .audit_event: ("action", "action || '.forged'")
            }
        }
        /// What a forged copy of an entry changes so that the table's other constraints let it in.
        var forgedChanges: String {
            switch self {
            case .movement, .audit_event: ""
            case .night_check: ", 'round_due_at', (e.round_due_at + interval '1 minute')"
            case .incident: ", 'incident_number', 990000"
            }
        }
    }

    enum Tamper: String, CaseIterable, Sendable {
        case timeChanged, kindChanged, middleDeleted, lastDeleted, lastThreeDeleted, forgedMidChain, forgedAppendedWithTriggersOn,
            changedAndRehashed, deletedRenumberedRehashed, contentsSwapped, idsSwapped, contentFunctionReplaced, checkpointEdited,
            checkpointWithAnotherKey
    }

    /// The checkpointed demo every case copies, made once.
    static let demo = Source()

    @Test(
        "each kind of tampering, on each log, is named by ap verify, with a witness, and by a receipt taken before",
        arguments: Tamper.allCases)
    func caught(_ tamper: Tamper) async throws {
        let source = try await Self.demo.made()
        for log in Log.allCases {
            try await Self.onCopy(of: source) { place in
                let last = try await Self.lastSeq(log, place.elm, place.pool)
                try await Self.tamper(tamper, log, elm: place.elm, last: last, pool: place.pool, folder: place.folder, key: source.key)
                return last
            } verify: { runs, place, last in
                let pool = place.pool
                let elm = place.elm
                if tamper == .forgedAppendedWithTriggersOn {
                    // Newer than the last checkpoint: the README's stated limit. The chain holds, verify
                    // says what it cannot vouch for, and the entry carries the database's time and the
                    // session's member of staff, not the ones the forger gave.
                    for run in runs.all {
                        let said = "\(tamper) of the \(log.name):\n\(run.output)"
                        #expect(run.status == 0, "\(said)")
                        #expect(
                            run.output.contains("not established: 1 \(log.name) entr")
                                || (log == .audit_event && run.output.contains("came after the last checkpoint")), "\(said)")
                    }
                    let forged = try await pool.query(
                        """
                        SELECT (\(unsafeSQL: log == .audit_event ? "occurred_at" : "recorded_at") > now() - interval '10 minutes') AS fresh,
                               \(unsafeSQL: log == .audit_event ? "staff_id" : "recorded_by")::text AS recorder
                        FROM \(unsafeSQL: log.rawValue) WHERE premises_id = \(elm) AND chain_seq = \(last + 1)
                        """)
                    #expect(try forged.first?.decode("fresh", as: Bool.self) == true)
                    #expect(try forged.first?.decode("recorder", as: String.self) == source.manager.uuidString.lowercased())
                    return
                }
                // A receipt is held to alone: a change to the checkpoint folder is nothing it can see.
                let folderOnly = tamper == .checkpointEdited || tamper == .checkpointWithAnotherKey
                for run in folderOnly ? [runs.plain, runs.witness] : runs.all {
                    let said = "\(tamper) of the \(log.name):\n\(run.output)"
                    #expect(run.status != 0, "\(said)")
                    for expected in Self.expected(tamper, log, last: last) where !run.output.contains(expected) {
                        Issue.record("ap verify did not say \"\(expected)\" after \(said)")
                    }
                }
                if folderOnly { #expect(runs.receipt?.status == 0, "\(runs.receipt?.output ?? "")") }
            }
        }
    }

    @Test("a receipt taken before a rewrite proves it, even with the checkpoint folder gone")
    func receiptProvesARewrite() async throws {
        let source = try await Self.demo.made()
        try await Self.onCopy(of: source) { place in
            try await Self.tamper(
                .changedAndRehashed, .night_check, elm: place.elm, last: 0, pool: place.pool, folder: place.folder, key: source.key)
            try FileManager.default.removeItem(atPath: place.folder)
            return nil
        } verify: { runs, _, _ in
            let run = try #require(runs.receipt)
            #expect(run.status != 0, "\(run.output)")
            #expect(run.output.contains("held to the receipt"), "\(run.output)")
            #expect(run.output.contains("the chain was rewritten before the checkpoint of"), "\(run.output)")
            #expect(run.output.contains("the receipt is signed with this service's current key"), "\(run.output)")
        }
    }

    /// What `ap verify` must say of each case.
    static func expected(_ tamper: Tamper, _ log: Log, last: Int64) -> [String] {
        switch tamper {
        case .timeChanged, .kindChanged, .contentsSwapped, .idsSwapped, .contentFunctionReplaced:
            ["\(log.name): ", "(#2): this entry was changed after it was recorded"]
        case .middleDeleted: ["(#3): entries are missing before this one: the chain goes from #1 to #3"]
        case .lastDeleted: ["entries are missing after #\(last - 1): the checkpoint of"]
        case .lastThreeDeleted: ["entries are missing after #\(last - 3): the checkpoint of"]
        case .deletedRenumberedRehashed: ["entries are missing after #\(last - 1): the checkpoint of"]
        case .forgedMidChain: ["(#3): this entry does not follow the one before it"]
        case .changedAndRehashed: ["the chain was rewritten before the checkpoint of", "#\(last) is not the entry that checkpoint signed"]
        case .checkpointEdited: ["has an invalid signature: the line was changed after it was signed"]
        case .checkpointWithAnotherKey: ["has an invalid signature: it was signed with a key this service never listed"]
        case .forgedAppendedWithTriggersOn: []
        }
    }

    static func lastSeq(_ log: Log, _ elm: UUID, _ pool: PostgresPool) async throws -> Int64 {
        try await pool.query("SELECT max(chain_seq) AS last FROM \(unsafeSQL: log.rawValue) WHERE premises_id = \(elm)")[0].decode("last")
    }

    /// Recomputes a chain's hashes from `from` on, as an attacker would, with the database's own
    /// content function.
    static func rehash(_ log: Log, _ elm: UUID, from: Int64) -> String {
        let t = log.rawValue
        return """
            DO $$ DECLARE e record; previous bytea; BEGIN
              SELECT entry_hash INTO previous FROM \(t) WHERE premises_id = '\(elm)' AND chain_seq = \(from - 1);
              FOR e IN SELECT id FROM \(t) WHERE premises_id = '\(elm)' AND chain_seq >= \(from) ORDER BY chain_seq LOOP
                UPDATE \(t) x SET previous_hash = previous WHERE x.id = e.id;
                UPDATE \(t) x SET entry_hash = sha256(coalesce(previous, '\\x'::bytea) || \(content(t))) WHERE x.id = e.id
                RETURNING entry_hash INTO previous;
              END LOOP;
            END $$
            """
    }

    /// The database's own content function of entry `x` of `t`, in the entry's encoding (v3, with
    /// sealed fields, since migration 0026; v2 before).
    static func content(_ t: String) -> String {
        "CASE WHEN x.commitments IS NULL THEN \(t)_chain_content(x) ELSE \(t)_chain_content_v3(x) END"
    }

    /// Makes one change, as the database's superuser (triggers off, but for the forged append).
    static func tamper(_ tamper: Tamper, _ log: Log, elm: UUID, last: Int64, pool: PostgresPool, folder: String, key: CheckpointKey)
        async throws
    {
        let t = log.rawValue
        let at = "premises_id = '\(elm)'"
        var statements = [String]()
        switch tamper {
        case .timeChanged: statements = ["UPDATE \(t) SET \(log.time) = \(log.time) - interval '1 hour' WHERE \(at) AND chain_seq = 2"]
        case .kindChanged: statements = ["UPDATE \(t) SET \(log.kind.column) = \(log.kind.value) WHERE \(at) AND chain_seq = 2"]
        case .middleDeleted: statements = ["DELETE FROM \(t) WHERE \(at) AND chain_seq = 2"]
        case .lastDeleted: statements = ["DELETE FROM \(t) WHERE \(at) AND chain_seq = \(last)"]
        case .lastThreeDeleted: statements = ["DELETE FROM \(t) WHERE \(at) AND chain_seq > \(last - 3)"]
        case .forgedMidChain:
            statements = [
                "UPDATE \(t) SET chain_seq = -chain_seq WHERE \(at) AND chain_seq >= 2",
                "UPDATE \(t) SET chain_seq = -chain_seq + 1 WHERE \(at) AND chain_seq < 0",
                """
                INSERT INTO \(t) SELECT (jsonb_populate_record(NULL::\(t), to_jsonb(e) || jsonb_build_object('id', 900000001, 'chain_seq', 2,
                    'previous_hash', e.entry_hash\(log.forgedChanges)))).* FROM \(t) e WHERE e.\(at) AND e.chain_seq = 1
                """,
                "UPDATE \(t) x SET entry_hash = sha256(x.previous_hash || \(t)_chain_content(x)) WHERE x.id = 900000001",
            ]
        case .forgedAppendedWithTriggersOn:
            // As the service's own role could: the triggers on, naming a member of staff, offering a time and a recorder of its own.
            let manager = try await pool.query("SELECT id::text AS id FROM staff WHERE username = 'manager'")[0].decode(
                "id", as: String.self)
            let forged =
                switch log {
                case .movement:
                    "INSERT INTO movement (premises_id, placement_id, kind, occurred_at, recorded_at, recorded_by) SELECT premises_id, placement_id, 'in', now() - interval '3 hours', now() - interval '3 hours', (SELECT id FROM staff WHERE username = 'night') FROM movement WHERE \(at) AND chain_seq = \(last)"
                case .night_check:
                    "INSERT INTO night_check (premises_id, round_due_at, placement_id, observation, observed_at, recorded_at, recorded_by) SELECT premises_id, round_due_at + interval '1 minute', placement_id, 'seen', observed_at, now() - interval '3 hours', (SELECT id FROM staff WHERE username = 'night') FROM night_check WHERE \(at) AND chain_seq = \(last)"
                case .incident:
                    "INSERT INTO incident (premises_id, kind, severity, occurred_at, location, summary, residents, staff, action_taken, told, recorded_at, recorded_by) SELECT premises_id, 'other', 'low', occurred_at, 'Office', 'nothing happened', '{}', '{}', 'none', '{}', now() - interval '3 hours', (SELECT id FROM staff WHERE username = 'night') FROM incident WHERE \(at) AND chain_seq = \(last)"
                case .audit_event:
                    "INSERT INTO audit_event (occurred_at, staff_id, action, entity, entity_id) VALUES (now() - interval '3 hours', '\(manager)', 'forged', 'nothing', 'none')"
                }
            try await pool.transaction { connection in
                try await connection.execute(SQL(unsafeSQL: "SELECT set_config('ap.staff_id', '\(manager)', true)"))
                try await connection.execute(SQL(unsafeSQL: forged))
            }
            return
        case .changedAndRehashed:
            statements = [
                "UPDATE \(t) SET \(log.time) = \(log.time) - interval '1 hour' WHERE \(at) AND chain_seq = 2", rehash(log, elm, from: 2),
            ]
        case .deletedRenumberedRehashed:
            statements = [
                "DELETE FROM \(t) WHERE \(at) AND chain_seq = 2",
                "UPDATE \(t) SET chain_seq = -chain_seq WHERE \(at) AND chain_seq > 2",
                "UPDATE \(t) SET chain_seq = -chain_seq - 1 WHERE \(at) AND chain_seq < 0",
                rehash(log, elm, from: 2),
            ]
        case .contentsSwapped:
            let kept = "'id', y.id, 'chain_seq', y.chain_seq, 'previous_hash', y.previous_hash, 'entry_hash', y.entry_hash"
            statements = [
                "CREATE TEMP TABLE swapped AS SELECT * FROM \(t) WHERE \(at) AND chain_seq IN (2, 3)",
                "DELETE FROM \(t) WHERE \(at) AND chain_seq IN (2, 3)",
                "INSERT INTO \(t) SELECT (jsonb_populate_record(NULL::\(t), to_jsonb(x) || jsonb_build_object(\(kept)))).* FROM swapped x JOIN swapped y ON x.chain_seq <> y.chain_seq",
                "DROP TABLE swapped",
            ]
        case .idsSwapped:
            statements = [
                "CREATE TEMP TABLE ids AS SELECT chain_seq, id FROM \(t) WHERE \(at) AND chain_seq IN (2, 3)",
                "UPDATE \(t) SET id = -1 WHERE \(at) AND chain_seq = 2",
                "UPDATE \(t) SET id = (SELECT id FROM ids WHERE chain_seq = 2) WHERE \(at) AND chain_seq = 3",
                "UPDATE \(t) SET id = (SELECT id FROM ids WHERE chain_seq = 3) WHERE \(at) AND chain_seq = 2",
                "DROP TABLE ids",
            ]
        case .contentFunctionReplaced:
            // The entry is changed, and the content function replaced so that it still hashes to the stored value:
            // anything that trusted the database's function would say the chain holds.
            let entry = try await pool.query(
                "SELECT \(unsafeSQL: log.time)::text AS t, commitments IS NOT NULL AS sealed FROM \(unsafeSQL: t) WHERE \(unsafeSQL: at) AND chain_seq = 2"
            )[0]
            let original: String = try entry.decode("t")
            let function = "\(t)_chain_content" + (try entry.decode("sealed", as: Bool.self) ? "_v3" : "")
            statements = [
                "ALTER FUNCTION \(function)(\(t)) RENAME TO \(t)_chain_content_kept",
                """
                CREATE FUNCTION \(function)(x \(t)) RETURNS bytea LANGUAGE plpgsql AS $f$
                BEGIN IF x.chain_seq = 2 AND x.\(at) THEN x.\(log.time) := '\(original)'; END IF; RETURN \(t)_chain_content_kept(x); END $f$
                """,
                "UPDATE \(t) SET \(log.time) = \(log.time) - interval '1 hour' WHERE \(at) AND chain_seq = 2",
            ]
        case .checkpointEdited, .checkpointWithAnotherKey:
            try editCheckpoints(tamper, log, elm: elm, folder: folder)
            return
        }
        try await pool.withConnection { connection in
            try await connection.execute("SET session_replication_role = replica")
            for statement in statements { try await connection.execute(SQL(unsafeSQL: statement)) }
            try await connection.execute("RESET session_replication_role")
        }
        if tamper == .contentFunctionReplaced {
            let fooled = try await pool.query(
                """
                SELECT count(*)::integer AS n FROM \(unsafeSQL: t) x WHERE x.\(unsafeSQL: at)
                AND x.entry_hash <> sha256(coalesce(x.previous_hash, '\\x'::bytea) || \(unsafeSQL: content(t)))
                """)[0].decode("n", as: Int.self)
            #expect(fooled == 0, "the replaced function should fool a check made with it")
        }
    }

    /// Edits Elm's latest checkpoint line for `log`, or appends one signed with another key.
    static func editCheckpoints(_ tamper: Tamper, _ log: Log, elm: UUID, folder: String) throws {
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("checkpoints-") }.sorted().last)
        let file = "\(folder)/\(name)"
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        let index = try #require(lines.lastIndex { $0.contains(elm.uuidString.lowercased()) })
        var checkpoint = try Checkpoint.decode(lines[index])
        let head = try #require(checkpoint.heads.firstIndex { $0.log == LogChainStore.logs.first { $0.table == log.rawValue }!.name })
        checkpoint.heads[head].seq += 5
        if tamper == .checkpointEdited {
            lines[index] = try checkpoint.line()
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: false, encoding: .utf8)
        } else {
            let forged = try CheckpointKey().sign(
                at: Date(), premisesID: elm, premisesCode: checkpoint.premisesCode, heads: checkpoint.heads)
            try CheckpointFolder(path: folder).append(forged, on: Date())
        }
    }
}

extension TamperTests {
    /// The demo, with four more incidents by Elm House's manager (so every chain of Elm's, its
    /// audit log's too, has at least five entries), checkpointed with a key of its own to a
    /// folder and a witness folder; then two more incidents, checkpointed again (so the latest
    /// checkpoint alone covers them).
    struct Made: Sendable {
        var name: String
        var folder: String
        var witness: String
        var key: CheckpointKey
        var manager: UUID
        /// The incident log's last entry at the first checkpoint.
        var firstIncidents: Int64
    }

    actor Source {
        private var made: Task<Made, any Error>?

        func made() async throws -> Made {
            if let made { return try await made.value }
            let task = Task<Made, any Error> {
                let name = try await TestDatabase.create()
                let pool = try TestDatabase.pool(name)
                do {
                    let hasher = PasswordHasher(cost: 4)
                    _ = try await DemoData(pool: pool, hasher: hasher).load()
                    let sessions = SessionStore(pool: pool, hasher: hasher)
                    let manager = try await sessions.authenticate(
                        token: try await sessions.signIn(username: "manager", password: DemoData.password, code: TamperTests.demoCode())
                            .token)
                    let elm: UUID = try await pool.query("SELECT id FROM premises WHERE code = 'DEMO-ELM'")[0].decode("id")
                    let incidents = IncidentStore(pool: pool)
                    func record(_ hour: Int) async throws {
                        _ = try await incidents.record(
                            premisesID: elm,
                            .init(
                                kind: "other", severity: "low", occurredAt: Date().addingTimeInterval(Double(-hour) * 600),
                                location: "Kitchen",
                                summary: "a smoke alarm went off (\(hour))", residents: [], staff: [manager.staffID],
                                actionTaken: "alarm reset", told: []),
                            by: manager)
                    }
                    for hour in [6, 5, 4, 3] { try await record(hour) }
                    let folder = NSTemporaryDirectory() + "ap-tamper-source-\(UUID().uuidString)"
                    let key = CheckpointKey()
                    let settings = CheckpointSettings(
                        key: key, folder: CheckpointFolder(path: folder + "/checkpoints"),
                        witnessFolder: CheckpointFolder(path: folder + "/witness"))
                    #expect(try await LogChainStore(pool: pool, checkpoints: settings).checkpoint() > 0)
                    let first = try await TamperTests.lastSeq(.incident, elm, pool)
                    for hour in [2, 1] { try await record(hour) }
                    #expect(try await LogChainStore(pool: pool, checkpoints: settings).checkpoint(premisesID: elm) > 0)
                    await pool.close()
                    return Made(
                        name: name, folder: folder + "/checkpoints", witness: folder + "/witness", key: key, manager: manager.staffID,
                        firstIncidents: first)
                } catch {
                    await pool.close()
                    throw error
                }
            }
            made = task
            return try await task.value
        }
    }

    /// A copy of the demo as a case sees it: the pool, the checkpoint folder, the witness folder
    /// and the key file the service reads, and Elm House.
    struct Place: Sendable {
        var pool: PostgresPool
        var folder: String
        var witness: String
        var keyFile: String
        var elm: UUID
        /// The case's own folder: `regional.json` (the CLI's sign-in) and `receipt.json` are in it.
        var scratch: URL

        /// The service's checkpoint settings on this copy, as configured: it reads the key file.
        var settings: CheckpointSettings {
            CheckpointSettings(keyFile: keyFile, folder: CheckpointFolder(path: folder), witnessFolder: CheckpointFolder(path: witness))
        }
    }

    /// What `ap verify` said after the change: on its own, with the witness folder, and held to
    /// the receipt taken before the change.
    struct Runs: Sendable {
        var plain: CommandLineTests.Run
        var witness: CommandLineTests.Run
        var receipt: CommandLineTests.Run?
        var all: [CommandLineTests.Run] { [plain, witness] + (receipt.map { [$0] } ?? []) }
    }

    /// Copies the checkpointed demo, its checkpoint and witness folders and its key, takes a
    /// receipt, makes the change, serves the copy and runs `ap verify --premises DEMO-ELM` as the
    /// regional manager: on its own, with `--witness` and with `--receipt-file`.
    static func onCopy(
        of source: Made,
        tamper: @escaping @Sendable (Place) async throws -> Int64?,
        verify: @escaping @Sendable (Runs, Place, Int64) async throws -> Void
    ) async throws {
        let name = try await TestDatabase.create(copying: source.name)
        let scratch = try CommandLineTests.scratchFolder()
        let folder = scratch.appendingPathComponent("checkpoints").path
        let witness = scratch.appendingPathComponent("witness").path
        try FileManager.default.copyItem(atPath: source.folder, toPath: folder)
        try FileManager.default.copyItem(atPath: source.witness, toPath: witness)
        let keyFile = scratch.appendingPathComponent("signing.key").path
        try source.key.fileText.write(toFile: keyFile, atomically: true, encoding: .utf8)
        let pool = try TestDatabase.pool(name)
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            let elm: UUID = try await pool.query("SELECT id FROM premises WHERE code = 'DEMO-ELM'")[0].decode("id")
            let place = Place(pool: pool, folder: folder, witness: witness, keyFile: keyFile, elm: elm, scratch: scratch)
            var logger = Logger(label: "tamper")
            logger.logLevel = .critical
            let router = try buildRouter(pool: pool, passwordHasher: PasswordHasher(cost: 4), checkpoints: place.settings, logger: logger)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
            try await app.test(.live) { client in
                let server = "http://127.0.0.1:\(try #require(client.port))"
                let config = scratch.appendingPathComponent("regional.json")
                let login = try await CommandLineTests.ap(
                    ["login", "regional", "--server", server], config: config,
                    stdin: DemoData.password + "\n" + TamperTests.demoCode() + "\n")
                #expect(login.status == 0, "\(login.output)")
                let receiptFile = scratch.appendingPathComponent("receipt.json").path
                let taken = try await CommandLineTests.ap(["verify", "--premises", "DEMO-ELM", "--receipt"], config: config)
                #expect(taken.status == 0, "\(taken.output)")
                try taken.output.write(toFile: receiptFile, atomically: true, encoding: .utf8)
                let last = try await tamper(place) ?? 0
                let command = ["verify", "--premises", "DEMO-ELM"]
                let runs = Runs(
                    plain: try await CommandLineTests.ap(command, config: config),
                    witness: try await CommandLineTests.ap(command + ["--witness", witness], config: config),
                    receipt: try await CommandLineTests.ap(command + ["--receipt-file", receiptFile], config: config))
                try await verify(runs, place, last)
            }
            await pool.close()
            try await TestDatabase.drop(name)
        } catch {
            await pool.close()
            try? await TestDatabase.drop(name)
            throw error
        }
    }

    /// The demo accounts' second-factor code of now (`DemoData.secondFactorSecret`).
    static func demoCode() -> String {
        TOTP.code(secret: Base32.decode(DemoData.secondFactorSecret)!, step: TOTP.step(at: Date()))
    }
}
