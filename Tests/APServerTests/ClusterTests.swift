import ApprovedPremises
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Postgres
import Synchronization
import TestSupport
import Testing

/// The topology of Deploy/cluster.sh on this machine, with real processes on loopback: a primary
/// and a synchronous hot standby, two `ap serve` processes, nginx with TLS in front. Under 50
/// night-shift clients recording sign-outs and sign-ins through nginx (each retrying with its
/// Idempotency-Key), the primary's postmaster is killed with SIGKILL and the standby promoted;
/// then one `ap serve` is killed. Nothing acknowledged may be lost or written twice, and no
/// service may need restarting for the failover.
@Suite(
    "A primary, a synchronous standby, two services and nginx",
    .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ClusterTests {
    static let clients = 50

    /// The cluster's folder and ports, all its own.
    struct Topology {
        let folder: URL
        let primary: Int, standby: Int, services: [Int], https: Int

        init() throws {
            folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-topology-\(UUID().uuidString.prefix(8))")
            primary = try LocalCluster.freePort()
            standby = try LocalCluster.freePort()
            services = [try LocalCluster.freePort(), try LocalCluster.freePort()]
            https = try LocalCluster.freePort()
        }

        var environment: [String: String] {
            var environment = ProcessInfo.processInfo.environment
            environment["AP_CLUSTER_DIR"] = folder.path
            environment["AP_CLUSTER_PRIMARY_PORT"] = String(primary)
            environment["AP_CLUSTER_STANDBY_PORT"] = String(standby)
            environment["AP_CLUSTER_AP_PORTS"] = services.map(String.init).joined(separator: " ")
            environment["AP_CLUSTER_HTTPS_PORT"] = String(https)
            environment["AP_CLUSTER_ENV"] = "AP_BCRYPT_COST=4 AP_BREACH_SCAN_SECONDS=3600 LOG_LEVEL=warning"
            environment["AP_PG_FSYNC"] = "off"
            return environment
        }

        func run(_ command: String) async throws -> String {
            var environment = self.environment
            environment["AP_BIN"] = try CommandLineTests.binary().path
            let log = folder.deletingLastPathComponent().appendingPathComponent(
                "\(folder.lastPathComponent)-\(command)-\(UUID().uuidString.prefix(4)).log")
            defer { try? FileManager.default.removeItem(at: log) }
            let status = try await Subprocess.run(
                "/bin/bash", [TestDatabase.checkout.appendingPathComponent("Deploy/cluster.sh").path, command],
                environment: environment, output: log)
            let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            guard status == 0 else { throw TestDatabaseError("cluster.sh \(command) failed (\(status)): \(said)") }
            return said
        }

        func pid(_ file: String) -> Int32? {
            (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)).flatMap {
                Int32($0.split(separator: "\n").first ?? "")
            }
        }

        /// SIGKILL to a node's postmaster and every process it started, at once.
        func killPostgres(_ node: String) throws {
            try LocalCluster.kill(dataFolder: folder.appendingPathComponent("\(node)/data"))
        }
    }

    /// What the clients did: each acknowledged request's client, and when the successful attempts
    /// began and were answered.
    final class Tally: Sendable {
        private let state = Mutex<
            (
                acknowledged: [Int], retried: Int, refused: [String],
                successes: [(began: ContinuousClock.Instant, answered: ContinuousClock.Instant)]
            )
        >(
            (Array(repeating: 0, count: ClusterTests.clients), 0, [], []))
        /// Why attempts failed: an HTTP status, or `no answer` and the client's error.
        private let failures = Mutex<[String: Int]>([:])

        func failed(_ why: String) { failures.withLock { $0[why, default: 0] += 1 } }
        var failureKinds: String {
            failures.withLock { $0.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") }
        }

        func acknowledged(_ client: Int, began: ContinuousClock.Instant) {
            state.withLock {
                $0.acknowledged[client] += 1
                $0.successes.append((began, .now))
            }
        }
        func retried() { state.withLock { $0.retried += 1 } }
        func refused(_ what: String) { state.withLock { $0.refused.append(what) } }
        var total: Int { state.withLock { $0.acknowledged.reduce(0, +) } }
        var figures:
            (
                acknowledged: [Int], retried: Int, refused: [String],
                successes: [(began: ContinuousClock.Instant, answered: ContinuousClock.Instant)]
            )
        {
            state.withLock { $0 }
        }
    }

    /// One client: `rounds` sign-outs and sign-ins of its resident, each under a key of its own,
    /// sent through nginx until answered.
    static func client(
        _ client: Int, phase: Int, rounds: Int, placement: String, token: String, base: String, http: HTTPClient,
        start: Date, tally: Tally
    ) async {
        for step in 0..<(rounds * 2) {
            let at = start.addingTimeInterval(Double(phase * 3_600 + step * 60)).formatted(.iso8601)
            var request = HTTPClientRequest(url: "\(base)/placements/\(placement)/movements")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Idempotency-Key", value: "topology-\(client)-\(phase)-\(step)")
            request.body = .bytes(ByteBuffer(string: #"{"kind":"\#(step % 2 == 0 ? "out" : "in")","occurredAt":"\#(at)"}"#))
            let giveUp = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < giveUp {
                let began = ContinuousClock.now
                let answer: HTTPClientResponse?
                var why = "no answer"
                do { answer = try await http.execute(request, timeout: .seconds(10)) } catch {
                    answer = nil
                    why = "no answer (\(error))"
                }
                guard let response = answer, response.status.code < 500 else {
                    tally.retried()
                    tally.failed(answer.map { "\($0.status.code)" } ?? why)
                    try? await Task.sleep(for: .milliseconds(200))
                    continue
                }
                let body = (try? await response.body.collect(upTo: 1 << 16)).map { String(buffer: $0) } ?? ""
                if (200..<300).contains(Int(response.status.code)) {
                    tally.acknowledged(client, began: began)
                } else {
                    tally.refused("client \(client) step \(step): \(response.status.code) \(body)")
                }
                break
            }
        }
    }

    /// Whether a service's `/ready` answers `status` within ten seconds.
    static func ready(_ port: Int, is status: UInt, http: HTTPClient) async throws -> Bool {
        for _ in 0..<100 {
            if let answer = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/ready"), timeout: .seconds(3)),
                answer.status.code == status
            {
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test(
        "kill -9 of the primary under 50 clients through nginx, failover to the standby, then kill -9 of one ap serve: 0 lost, 0 duplicated, no restart"
    )
    func failoverUnderLoad() async throws {
        let topology = try Topology()
        defer { try? FileManager.default.removeItem(at: topology.folder) }
        do {
            let up = try await topology.run("up")
            #expect(up.contains("https://127.0.0.1:\(topology.https)/"), "\(up)")
            let url =
                "postgresql://postgres@127.0.0.1:\(topology.primary),127.0.0.1:\(topology.standby)/approved_premises?target_session_attrs=read-write"
            let pool = PostgresPool(settings: ConnectionSettings(connectionString: url, connectTimeoutSeconds: 2), maxConnections: 4)
            let (_, residents, token) = try await FaultTests.world(pool)
            // The commit of the world reached the standby before it was acknowledged.
            let sync: String = try await pool.query("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")[0]
                .decode("sync_state")
            #expect(sync == "sync")
            // The recipe turns JIT compilation off in the server's own configuration too (the
            // pool's connections have it off whatever the server says: this reads the server's).
            let serverJIT: String = try await pool.query("SELECT reset_val FROM pg_settings WHERE name = 'jit'")[0].decode("reset_val")
            #expect(serverJIT == "off")
            await pool.close()
            let services = [topology.pid("ap-1.pid"), topology.pid("ap-2.pid")]

            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(topology.folder.appendingPathComponent("tls/cert.pem").path)
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            let base = "https://127.0.0.1:\(topology.https)"
            let start = Date().addingTimeInterval(-3 * 3_600)
            let rounds = 6
            for phase in 0..<2 {
                let tally = Tally()
                let load = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for client in 0..<Self.clients {
                            group.addTask {
                                await Self.client(
                                    client, phase: phase, rounds: rounds, placement: residents[client], token: token, base: base,
                                    http: http, start: start, tally: tally)
                            }
                        }
                    }
                }
                while tally.total < Self.clients * rounds / 2 { try await Task.sleep(for: .milliseconds(5)) }
                let killed = ContinuousClock.now
                if phase == 0 {
                    try topology.killPostgres("pg-primary")
                    // With no primary, each service says it is not ready (503); once the standby is promoted, ready again.
                    #expect(
                        try await Self.ready(topology.services[1], is: 503, http: http), "/ready did not turn 503 with the primary gone")
                    _ = try await topology.run("failover")
                    #expect(try await Self.ready(topology.services[1], is: 200, http: http), "/ready did not turn 200 after the failover")
                } else {
                    _ = Glibc.kill(services[0] ?? 0, SIGKILL)
                }
                await load.value
                let figures = tally.figures
                let kind = phase == 0 ? "the primary" : "one ap serve"
                // Recovered: the first write sent after the kill that succeeded.
                let firstAfter = figures.successes.filter { $0.began > killed }.map(\.answered).min().map { $0 - killed }
                print(
                    "topology test, \(kind) killed: \(figures.acknowledged.reduce(0, +)) acknowledged, \(figures.retried) attempts retried by the clients (\(tally.failureKinds)), "
                        + "first write sent after the kill acknowledged \(firstAfter.map { "\($0)" } ?? "never") after it")
                #expect(figures.refused.isEmpty, "\(kind): \(figures.refused.prefix(3))")
                #expect(figures.acknowledged.allSatisfy { $0 == rounds * 2 }, "\(kind): not every request was acknowledged")
                #expect(firstAfter.map { $0 < .seconds(30) } == true, "\(kind): no recovery within 30 seconds")
                if phase == 0 {
                    #expect(figures.retried > 0, "no request failed, so the kill missed the load")
                } else {
                    // nginx saw the service die and sent the requests to the other one (the clients need not retry).
                    let errors =
                        (try? String(contentsOf: topology.folder.appendingPathComponent("nginx/logs/error.log"), encoding: .utf8)) ?? ""
                    #expect(
                        errors.contains("127.0.0.1:\(topology.services[0])"),
                        "nginx logged no failure of the killed service: \(errors.suffix(500))")
                }
            }

            // Every acknowledged write is in the promoted standby exactly once.
            let check = PostgresPool(settings: ConnectionSettings(connectionString: url, connectTimeoutSeconds: 2), maxConnections: 1)
            let counts = try await check.query(
                "SELECT placement_id::text AS id, count(*)::integer AS n FROM movement GROUP BY placement_id")
            let perResident = Dictionary(
                uniqueKeysWithValues: try counts.map { (try $0.decode("id", as: String.self), try $0.decode("n", as: Int.self)) })
            #expect(perResident.count == Self.clients)
            #expect(
                perResident.values.allSatisfy { $0 == rounds * 4 },
                "movements per resident (lost or duplicated): \(Set(perResident.values))")
            let primaryNow: Bool = try await check.query("SELECT NOT pg_is_in_recovery() AS p, inet_server_port() AS port")[0].decode("p")
            #expect(primaryNow)
            await check.close()
            // The service that was not killed served throughout without a restart.
            #expect(topology.pid("ap-2.pid") == services[1] && services[1].map { Glibc.kill($0, 0) == 0 } == true)
            // The killed one, started again, rejoins.
            let rejoined = try await topology.run("up")
            #expect(rejoined.contains("ap serve 1 on 127.0.0.1:\(topology.services[0]): ready"), "\(rejoined)")
            try await http.shutdown()
            _ = try await topology.run("destroy")
        } catch {
            _ = try? await topology.run("destroy")
            throw error
        }
    }
}
