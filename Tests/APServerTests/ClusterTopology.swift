import ApprovedPremises
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Postgres
import Synchronization
import TestSupport
import Testing

/// The topology of Deploy/cluster.sh on this machine, in a folder and on ports of its own: three
/// etcd members, three PostgreSQL members under Patroni, HAProxy, two `ap serve`, nginx with TLS.
struct ClusterTopology {
    let folder: URL
    let postgres: [Int], rest: [Int], etcd: [Int], etcdPeers: [Int]
    let write: Int, read: Int, stats: Int
    let services: [Int], https: Int

    init() throws {
        folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-topology-\(UUID().uuidString.prefix(8))")
        func ports(_ count: Int) throws -> [Int] { try (0..<count).map { _ in try LocalCluster.freePort() } }
        postgres = try ports(3)
        rest = try ports(3)
        etcd = try ports(3)
        etcdPeers = try ports(3)
        (write, read, stats) = (try LocalCluster.freePort(), try LocalCluster.freePort(), try LocalCluster.freePort())
        services = try ports(2)
        https = try LocalCluster.freePort()
    }

    /// Writes go through HAProxy's write port, as the services' do.
    var databaseURL: String {
        "postgresql://postgres@127.0.0.1:\(write)/approved_premises?target_session_attrs=read-write"
    }

    /// A pool on the write port, as the services have.
    func pool(maxConnections: Int = 4) -> PostgresPool {
        PostgresPool(settings: ConnectionSettings(connectionString: databaseURL, connectTimeoutSeconds: 2), maxConnections: maxConnections)
    }

    var environment: [String: String] {
        func list(_ ports: [Int]) -> String { ports.map(String.init).joined(separator: " ") }
        var environment = ProcessInfo.processInfo.environment
        environment["AP_CLUSTER_DIR"] = folder.path
        environment["AP_CLUSTER_PG_PORTS"] = list(postgres)
        environment["AP_CLUSTER_REST_PORTS"] = list(rest)
        environment["AP_CLUSTER_ETCD_PORTS"] = list(etcd)
        environment["AP_CLUSTER_ETCD_PEER_PORTS"] = list(etcdPeers)
        environment["AP_CLUSTER_WRITE_PORT"] = String(write)
        environment["AP_CLUSTER_READ_PORT"] = String(read)
        environment["AP_CLUSTER_STATS_PORT"] = String(stats)
        environment["AP_CLUSTER_AP_PORTS"] = list(services)
        environment["AP_CLUSTER_HTTPS_PORT"] = String(https)
        environment["AP_CLUSTER_ENV"] = "AP_BCRYPT_COST=4 AP_BREACH_SCAN_SECONDS=3600 LOG_LEVEL=warning"
        environment["AP_PG_FSYNC"] = "off"
        return environment
    }

    /// Runs one of the recipe's scripts (cluster.sh, backup.sh, restore.sh); throws with what it
    /// said when it fails.
    @discardableResult
    func script(_ name: String, _ arguments: [String]) async throws -> String {
        var environment = self.environment
        environment["AP_BIN"] = try CommandLineTests.binary().path
        let log = folder.deletingLastPathComponent().appendingPathComponent(
            "\(folder.lastPathComponent)-\(name)-\(UUID().uuidString.prefix(6)).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let status = try await Subprocess.run(
            "/bin/bash", [TestDatabase.checkout.appendingPathComponent("Deploy/\(name)").path] + arguments,
            environment: environment, output: log)
        let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0 else { throw TestDatabaseError("\(name) \(arguments.joined(separator: " ")) failed (\(status)): \(said)") }
        return said
    }

    @discardableResult
    func run(_ command: String) async throws -> String { try await script("cluster.sh", [command]) }

    /// Brings the topology up, runs `body` with a client that trusts its certificate, and
    /// destroys it, whatever happens.
    func with(_ body: (HTTPClient) async throws -> Void) async throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        let http: HTTPClient
        do {
            let up = try await run("up")
            #expect(up.contains("https://127.0.0.1:\(https)/"), "\(up)")
            tls.trustRoots = .file(folder.appendingPathComponent("tls/cert.pem").path)
            http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        } catch {
            await keepLogs()
            _ = try? await run("destroy")
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        do {
            try await body(http)
        } catch {
            try? await http.shutdown()
            await keepLogs()
            _ = try? await run("destroy")
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        try await http.shutdown()
        try await run("destroy")
        try? FileManager.default.removeItem(at: folder)
    }

    /// Copies every log of the topology beside its folder (`…-logs`), for a test that failed.
    func keepLogs() async {
        let kept = folder.path + "-logs"
        _ = try? await Subprocess.run(
            "/bin/bash", ["-c", "mkdir -p '\(kept)' && cd '\(folder.path)' && find . -name '*.log' -exec cp --parents {} '\(kept)' \\;"],
            environment: ProcessInfo.processInfo.environment, output: URL(fileURLWithPath: kept + ".txt"))
        print("the topology's logs are kept in \(kept)")
    }

    func pid(_ file: String) -> Int32? {
        (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)).flatMap {
            Int32($0.split(separator: "\n").first ?? "")
        }
    }

    /// One member as Patroni's REST API describes it.
    struct Member: Decodable, Equatable {
        let name: String
        /// leader, sync_standby or replica.
        let role: String
        let state: String
        let timeline: Int?
    }

    /// The members, as the first Patroni that answers tells them.
    func members(_ http: HTTPClient) async -> [Member] {
        struct Answer: Decodable { let members: [Member] }
        for port in rest {
            guard let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/cluster"), timeout: .seconds(2)),
                response.status == .ok, let body = try? await response.body.collect(upTo: 1 << 16),
                let answer = try? JSONDecoder().decode(Answer.self, from: Data(buffer: body))
            else { continue }
            return answer.members
        }
        return []
    }

    func leader(_ http: HTTPClient) async -> Member? { await members(http).first { $0.role == "leader" } }

    /// Whether any member's Patroni says it is the primary (HAProxy's own check).
    func anyPrimary(_ http: HTTPClient) async -> Bool {
        for port in rest {
            if let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/primary"), timeout: .seconds(2)),
                response.status == .ok
            {
                return true
            }
        }
        return false
    }

    /// Waits up to `seconds` for `condition`; returns how long it took, nil if it never held.
    static func within(_ seconds: Int, _ condition: () async -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(seconds) {
            if await condition() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Waits until `name` is a running replica on the leader's timeline, back in the cluster, and
    /// a synchronous replica is named again. Until then a second failure could not be failed over:
    /// only the synchronous replica Patroni names may be promoted.
    func rejoined(_ name: String, seconds: Int, _ http: HTTPClient) async throws -> Duration? {
        try await Self.within(seconds) {
            let members = await members(http)
            guard let leader = members.first(where: { $0.role == "leader" }), let member = members.first(where: { $0.name == name })
            else { return false }
            return ["replica", "sync_standby"].contains(member.role) && member.state == "running" && member.timeline == leader.timeline
                && members.contains { $0.role == "sync_standby" && $0.state == "running" }
        }
    }

    /// SIGKILL to a member's postmaster and every process it started, at once.
    func killPostgres(_ member: String) throws {
        try LocalCluster.kill(dataFolder: folder.appendingPathComponent("\(member)/data"))
    }

    /// SIGKILL to a member's Patroni alone: its PostgreSQL is left running, as after a crash of
    /// Patroni itself.
    func killPatroni(_ member: String) throws {
        guard let pid = pid("\(member)/patroni.pid") else { throw TestDatabaseError("no pid for \(member)'s Patroni") }
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// SIGKILL to an etcd member (e1, e2 or e3).
    func killEtcd(_ member: String) throws {
        guard let pid = pid("etcd/\(member).pid") else { throw TestDatabaseError("no pid for etcd \(member)") }
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// Whether the PostgreSQL on `port` takes writes (nil when it does not answer).
    static func takesWrites(_ port: Int) async -> Bool? {
        let pool = PostgresPool(
            settings: ConnectionSettings(
                connectionString: "postgresql://postgres@127.0.0.1:\(port)/postgres", connectTimeoutSeconds: 2),
            maxConnections: 1)
        let rows = try? await pool.query("SELECT NOT pg_is_in_recovery() AS writes")
        await pool.close()
        return try? rows?.first?.decode("writes", as: Bool.self)
    }
}
