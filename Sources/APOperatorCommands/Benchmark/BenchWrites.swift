import APClient
import ApprovedPremises
import Crypto
import Foundation
import Postgres

/// Sign-outs and sign-ins through the API at several client counts, each beside pgbench running
/// the same statements in one transaction (Deploy/bench/movement.sql).
struct BenchWrites {
    let pool: PostgresPool
    let api: BenchAPI
    let account: BenchAccount
    let seconds: Int

    /// One resident a client signs out and in, at the premises it works at.
    struct Resident: Sendable {
        var placementID: UUID
        var premisesID: UUID
    }

    func run(clients counts: [Int]) async throws -> [[String]] {
        let script = try Self.script()
        let pgbench = try Self.pgbench()
        var rows = [[String]]()
        var single: Double? = nil
        for clients in counts {
            let residents = try await Self.residents(pool, clients: clients)
            let ours = try await apiRate(residents)
            let theirs = try await pgbenchRate(residents, pgbench: pgbench, script: script)
            if clients == 1 { single = ours }
            let premises = Set(residents.map(\.premisesID)).count
            let scaling = single.map { clients > 1 ? String(format: ", %.1fx one client", ours / $0) : "" } ?? ""
            rows.append([
                "sign-outs/ins, \(clients) client\(clients == 1 ? "" : "s"), \(premises) premises",
                String(format: "%.0f/s", ours), String(format: "%.0f/s", theirs), String(format: "%.2f", ours / theirs),
                "pgbench, same statements\(scaling)",
            ])
        }
        return rows
    }

    /// Residents in residence at `(clients + 1) / 2` premises, two clients to a premises (two
    /// night staff to an AP), a resident of their own for each client.
    static func residents(_ pool: PostgresPool, clients: Int) async throws -> [Resident] {
        let premisesCount = (clients + 1) / 2
        let rows = try await pool.query(
            """
            WITH busy AS (
                SELECT p.premises_id FROM placement p JOIN premises pr ON pr.id = p.premises_id AND pr.active
                WHERE p.arrived_at IS NOT NULL AND p.departed_at IS NULL
                GROUP BY p.premises_id HAVING count(*) >= 2 ORDER BY p.premises_id LIMIT \(premisesCount)
            )
            SELECT r.id, r.premises_id FROM busy b
            CROSS JOIN LATERAL (SELECT p.id, p.premises_id FROM placement p
                                WHERE p.premises_id = b.premises_id AND p.arrived_at IS NOT NULL AND p.departed_at IS NULL
                                ORDER BY p.id LIMIT 2) r
            ORDER BY r.premises_id, r.id
            """)
        let residents = try rows.map { Resident(placementID: try $0.decode("id"), premisesID: try $0.decode("premises_id")) }
        guard residents.count >= clients else { throw CLIError("the national data has too few residents for \(clients) clients") }
        return Array(residents.prefix(clients))
    }

    /// Requests per second through the API: each client signs its resident out and in, turn about.
    func apiRate(_ residents: [Resident]) async throws -> Double {
        var firstKinds = [String]()
        for resident in residents {
            let last: String? = try await pool.query(
                """
                SELECT m.kind FROM movement m
                WHERE m.placement_id = \(resident.placementID) AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id)
                ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1
                """
            ).first?.decode("kind")
            firstKinds.append(last == "out" ? "in" : "out")
        }
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let done = try await withThrowingTaskGroup(of: Int.self) { group in
            for (resident, first) in zip(residents, firstKinds) {
                group.addTask { [api] in
                    var kind = first
                    var count = 0
                    let path = "/placements/\(resident.placementID.uuidString.lowercased())/movements"
                    while ContinuousClock.now < deadline {
                        _ = try await api.post(path, json: ["kind": kind])
                        kind = kind == "out" ? "in" : "out"
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - started
        return Double(done) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Transactions per second of pgbench: one pgbench process a client, on the client's resident.
    func pgbenchRate(_ residents: [Resident], pgbench: String, script: String) async throws -> Double {
        let tokenHash = SHA256.hash(data: Data(api.token.utf8)).map { String(format: "%02x", $0) }.joined()
        let database = pool.settings.connectionString
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Output goes to a file each; pgbench is started with no signal blocked, since it ends a
        // timed run on SIGALRM and a child inherits the mask of the thread that starts it.
        // Half the clients sign out and half sign in, as the API's clients do turn about.
        let runs = try residents.enumerated().map { index, resident -> (pid: pid_t, output: URL) in
            let arguments =
                [
                    "--no-vacuum", "--client=1", "--jobs=1", "--time=\(seconds)",
                    "--define=kind=\(index % 2 == 0 ? "out" : "in")",
                    "--define=placement=\(resident.placementID.uuidString.lowercased())",
                    "--define=premises=\(resident.premisesID.uuidString.lowercased())",
                    "--define=staff=\(account.principal.staffID.uuidString.lowercased())",
                    "--define=token_hash=\(tokenHash)",
                ]
                + ["--file", script] + (database.isEmpty ? [] : [database])
            let output = folder.appendingPathComponent("pgbench-\(index).log")
            return (try BenchProcess.spawn(pgbench, arguments, output: output), output)
        }
        let deadline = ContinuousClock.now + .seconds(seconds + 60)
        var statuses = [pid_t: Int32]()
        while statuses.count < runs.count {
            for run in runs where statuses[run.pid] == nil {
                var status: Int32 = 0
                if waitpid(run.pid, &status, WNOHANG) == run.pid { statuses[run.pid] = status }
            }
            guard ContinuousClock.now < deadline else {
                runs.forEach { _ = kill($0.pid, SIGKILL) }
                throw CLIError("pgbench did not finish within a minute of its --time")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        var total = 0.0
        for run in runs {
            let text = (try? String(contentsOf: run.output, encoding: .utf8)) ?? ""
            guard statuses[run.pid] == 0,
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
                let tps = Double(line.dropFirst(6).prefix { $0.isNumber || $0 == "." })
            else {
                throw CLIError("pgbench failed: \(text.suffix(600))")
            }
            total += tps
        }
        return total
    }

    /// Deploy/bench/movement.sql, beside the sql/ folder the service migrates from.
    static func script() throws -> String {
        let folder = try SQLFolder.locate().deletingLastPathComponent().appendingPathComponent("Deploy/bench")
        let script = folder.appendingPathComponent("movement.sql").path
        guard FileManager.default.fileExists(atPath: script) else {
            throw CLIError("the pgbench script is not in \(folder.path): run the benchmark from the checkout")
        }
        return script
    }

    /// PostgreSQL's pgbench: on PATH, else where Debian puts it.
    static func pgbench() throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/pgbench" }
        let debian =
            (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().reversed()
            .map { "/usr/lib/postgresql/\($0)/bin/pgbench" } ?? []
        guard let found = (path + debian).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw CLIError("pgbench is not installed (Debian: postgresql-15 has it)")
        }
        return found
    }
}
