import ApprovedPremises
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Postgres
import Synchronization
import TestSupport
import Testing

/// The topology of Deploy/cluster.sh on this machine, with real processes on loopback: three
/// etcd members, three PostgreSQL members under Patroni in synchronous mode, HAProxy, two
/// `ap serve` and nginx with TLS. Under 50 night-shift clients recording sign-outs and sign-ins
/// through nginx (each retrying with its Idempotency-Key), the leader's postmaster is killed,
/// then the new leader's Patroni, then a switchover is asked for: Patroni promotes the
/// synchronous replica each time with no command from the test. Nothing acknowledged may be lost
/// or written twice, no service may need restarting, and the old leader rejoins as a replica.
/// Last, one `ap serve` is killed: nginx sends its requests to the other.
/// Then etcd loses one member (the cluster goes on) and two (the leader steps down).
@Suite(
    "Three members under Patroni, etcd, HAProxy, two services and nginx",
    .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ClusterTests {
    static let clients = 50

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

        /// Waits until `count` requests are acknowledged; throws once one is refused, or after two minutes.
        func reach(_ count: Int) async throws {
            let giveUp = ContinuousClock.now + .seconds(120)
            while total < count {
                let refused = figures.refused
                guard refused.isEmpty else { throw TestDatabaseError("refused: \(refused.prefix(3))") }
                guard ContinuousClock.now < giveUp else { throw TestDatabaseError("\(total) of \(count) acknowledged in two minutes") }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
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
            let at = start.addingTimeInterval(Double(phase * 2_400 + step * 60)).formatted(.iso8601)
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
                    why = "no answer (\(type(of: error)))"
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

    /// Whether a service's `/ready` answers `status` within `seconds`.
    static func ready(_ port: Int, is status: UInt, within seconds: Int = 30, http: HTTPClient) async throws -> Bool {
        try await ClusterTopology.within(seconds) {
            let answer = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/ready"), timeout: .seconds(3))
            return answer?.status.code == status
        } != nil
    }

    /// 50 clients, each `rounds` sign-outs and sign-ins of its resident, through nginx.
    static func load(
        phase: Int, rounds: Int, residents: [String], token: String, topology: ClusterTopology, http: HTTPClient, tally: Tally
    ) -> Task<Void, Never> {
        // The residents arrived four hours ago (FaultTests.world): each phase's writes are 40
        // minutes after the previous phase's, all after the arrival and before now.
        let start = Date().addingTimeInterval(-3.5 * 3_600)
        return Task {
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<Self.clients {
                    group.addTask {
                        await Self.client(
                            client, phase: phase, rounds: rounds, placement: residents[client], token: token,
                            base: "https://127.0.0.1:\(topology.https)", http: http, start: start, tally: tally)
                    }
                }
            }
        }
    }

    /// Every acknowledged write is in the database exactly once: `expected` movements per resident.
    static func exactlyOnce(_ topology: ClusterTopology, expected: Int) async throws {
        let check = topology.pool(maxConnections: 1)
        let counts = try await check.query("SELECT placement_id::text AS id, count(*)::integer AS n FROM movement GROUP BY placement_id")
        await check.close()
        let perResident = Dictionary(
            uniqueKeysWithValues: try counts.map { (try $0.decode("id", as: String.self), try $0.decode("n", as: Int.self)) })
        #expect(perResident.count == Self.clients)
        #expect(perResident.values.allSatisfy { $0 == expected }, "movements per resident (lost or duplicated): \(Set(perResident.values))")
    }

    /// What the test does while the clients write, one thing a round.
    enum Event: String, CaseIterable {
        case postgres = "the leader's PostgreSQL killed (kill -9 of its postmaster)"
        case patroni = "the leader's Patroni killed (kill -9)"
        case switchover = "a planned switchover"
        case service = "one ap serve killed (kill -9)"
    }

    @Test(
        "kill -9 of the leader's PostgreSQL, then of the leader's Patroni, then a switchover, then kill -9 of one ap serve, under 50 clients through nginx: a new leader each time by itself, 0 lost, 0 duplicated, no restart, the old leader a replica again"
    )
    func failoverByItself() async throws {
        let topology = try ClusterTopology()
        try await topology.with { http in
            let pool = topology.pool()
            let (_, residents, token) = try await FaultTests.world(pool)
            // The commit of the world reached a synchronous replica before it was acknowledged.
            let sync: [String] = try await pool.query("SELECT sync_state FROM pg_stat_replication").map { try $0.decode("sync_state") }
            #expect(sync.contains("sync"), "\(sync)")
            // The recipe turns JIT compilation off in the server's own configuration too.
            let serverJIT: String = try await pool.query("SELECT reset_val FROM pg_settings WHERE name = 'jit'")[0].decode("reset_val")
            #expect(serverJIT == "off")
            await pool.close()
            let services = [topology.pid("ap-1.pid"), topology.pid("ap-2.pid")]
            let rounds = 6

            for (phase, event) in Event.allCases.enumerated() {
                let before = try #require(await topology.leader(http), "no leader before \(event.rawValue)")
                if event == .service {
                    // Through every failover of the database, neither service was restarted.
                    for (index, pid) in services.enumerated() {
                        #expect(
                            pid != nil && topology.pid("ap-\(index + 1).pid") == pid && Glibc.kill(pid!, 0) == 0,
                            "ap serve \(index + 1) restarted")
                    }
                }
                let tally = Tally()
                let load = Self.load(
                    phase: phase, rounds: rounds, residents: residents, token: token, topology: topology, http: http, tally: tally)
                try await tally.reach(Self.clients * rounds / 2)
                let killed = ContinuousClock.now
                switch event {
                case .postgres: try topology.killPostgres(before.name)
                case .patroni: try topology.killPatroni(before.name)
                case .switchover: try await topology.run("switchover")
                case .service: _ = Glibc.kill(services[0] ?? 0, SIGKILL)
                }
                if event == .patroni {
                    // With no leader answering (the dead Patroni's member is out of HAProxy, and
                    // its leader key has not yet expired), each service says it is not ready;
                    // then ready again once Patroni has promoted a replica, with no command from the test.
                    #expect(try await Self.ready(topology.services[1], is: 503, http: http), "/ready did not turn 503 with no leader")
                }
                if event != .service {
                    #expect(try await Self.ready(topology.services[1], is: 200, http: http), "/ready did not turn 200 after the failover")
                }
                await load.value
                let figures = tally.figures
                let outage = Self.outage(after: killed, figures.successes.map(\.answered))
                let after = await topology.leader(http)
                var rejoined: Duration?
                switch event {
                case .postgres, .patroni, .switchover:
                    #expect(after != nil && after?.name != before.name, "\(event.rawValue): the leader is still \(before.name)")
                    if event == .patroni {
                        // What systemd does for a Patroni that died: start it again. It finds its
                        // PostgreSQL still running as a primary, demotes it and follows the new leader.
                        try await topology.run("up")
                    }
                    rejoined = try await topology.rejoined(before.name, seconds: 90, http).map { _ in ContinuousClock.now - killed }
                    #expect(rejoined != nil, "\(event.rawValue): \(before.name) did not rejoin as a replica within 90 seconds")
                case .service:
                    // nginx saw the service die and sent the requests to the other one.
                    let errors =
                        (try? String(contentsOf: topology.folder.appendingPathComponent("nginx/logs/error.log"), encoding: .utf8)) ?? ""
                    #expect(errors.contains("127.0.0.1:\(topology.services[0])"), "nginx logged no failure of the killed service")
                    // Started again (systemd's part), it rejoins.
                    let up = try await topology.run("up")
                    #expect(up.contains("ap serve 1 on 127.0.0.1:\(topology.services[0]): ready"), "\(up)")
                }
                print(
                    "cluster test, \(event.rawValue): \(before.name) led, \(after?.name ?? "nobody") leads now; "
                        + "\(figures.acknowledged.reduce(0, +)) acknowledged, \(figures.retried) attempts retried by the clients (\(tally.failureKinds)); "
                        + "writes paused at most \(outage.map { Self.seconds($0.pause) } ?? "-"), and went on \(outage.map { Self.seconds($0.resumed) } ?? "-") after it"
                        + (rejoined.map { "; \(before.name) a replica again \(Self.seconds($0)) after it" } ?? ""))
                #expect(figures.refused.isEmpty, "\(event.rawValue): \(figures.refused.prefix(3))")
                #expect(figures.acknowledged.allSatisfy { $0 == rounds * 2 }, "\(event.rawValue): not every request was acknowledged")
                #expect(outage.map { $0.resumed < .seconds(40) } == true, "\(event.rawValue): writes did not go on within 40 seconds")
                if event == .postgres || event == .patroni {
                    #expect(figures.retried > 0, "\(event.rawValue): no request failed, so the kill missed the load")
                }
            }
            try await Self.exactlyOnce(topology, expected: rounds * 2 * Event.allCases.count)
            // The service that was not killed served throughout.
            #expect(topology.pid("ap-2.pid") == services[1] && Glibc.kill(services[1] ?? 0, 0) == 0, "ap serve 2 restarted")
        }
    }

    /// A duration as the figures print it: "4.7 s".
    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }

    /// The longest pause between acknowledged writes after `event`, and when it ended (writes
    /// went on then): the time a failover cost the clients.
    static func outage(after event: ContinuousClock.Instant, _ answered: [ContinuousClock.Instant]) -> (pause: Duration, resumed: Duration)?
    {
        let times = [event] + answered.filter { $0 > event }.sorted()
        guard times.count > 1 else { return nil }
        var longest = (pause: Duration.zero, end: event)
        for (earlier, later) in zip(times, times.dropFirst()) where later - earlier > longest.pause {
            longest = (later - earlier, later)
        }
        return (longest.pause, longest.end - event)
    }

    @Test(
        "one etcd member killed: the cluster goes on; two killed: the leader steps down and no write is acknowledged; etcd back: a leader again"
    )
    func etcdQuorum() async throws {
        let topology = try ClusterTopology()
        try await topology.with { http in
            let pool = topology.pool()
            let (_, residents, token) = try await FaultTests.world(pool)
            await pool.close()
            let rounds = 4
            let leader = try #require(await topology.leader(http))

            // One of three lost: etcd keeps its quorum, Patroni its leader, the clients their writes.
            let tally = Tally()
            let load = Self.load(phase: 0, rounds: rounds, residents: residents, token: token, topology: topology, http: http, tally: tally)
            try await tally.reach(Self.clients * rounds / 2)
            try topology.killEtcd("e1")
            await load.value
            #expect(tally.figures.refused.isEmpty && tally.figures.acknowledged.allSatisfy { $0 == rounds * 2 })
            #expect(await topology.leader(http)?.name == leader.name, "the leader changed with one etcd member lost")

            // Two of three lost: no quorum. Patroni cannot renew the leader key, so the leader
            // steps down (its PostgreSQL read-only) rather than risk a second leader.
            try topology.killEtcd("e2")
            let steppedDown = try await ClusterTopology.within(60) { await !topology.anyPrimary(http) }
            #expect(steppedDown != nil, "a member still says it leads with no etcd quorum")
            print(
                "cluster test, two of three etcd members killed: the leader stepped down \(steppedDown.map(Self.seconds) ?? "never") later")
            for port in topology.postgres {
                #expect(await ClusterTopology.takesWrites(port) != true, "PostgreSQL on \(port) takes writes with no quorum")
            }
            // A write now is not acknowledged, and leaves nothing behind.
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(topology.https)/placements/\(residents[0])/movements")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Idempotency-Key", value: "no-quorum")
            let at = Date().addingTimeInterval(-60).formatted(.iso8601)
            request.body = .bytes(ByteBuffer(string: #"{"kind":"out","occurredAt":"\#(at)"}"#))
            let answer = try await http.execute(request, timeout: .seconds(30))
            #expect(answer.status.code == 503, "a write with no quorum was answered \(answer.status.code)")
            #expect(try await Self.ready(topology.services[0], is: 503, http: http))

            // etcd back (what systemd would do): a leader again, and writes go on.
            try await topology.run("up")
            #expect(try await Self.ready(topology.services[0], is: 200, http: http))
            let again = Tally()
            await Self.load(phase: 1, rounds: rounds, residents: residents, token: token, topology: topology, http: http, tally: again)
                .value
            #expect(again.figures.refused.isEmpty && again.figures.acknowledged.allSatisfy { $0 == rounds * 2 })
            try await Self.exactlyOnce(topology, expected: rounds * 4)
        }
    }
}
