import ApprovedPremises
import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Every write exactly once through a crash: 100 night-shift clients, each signing its resident
/// out and in, recording an incident and correcting an entry, each request under a key of its
/// own and retried until it is answered; meanwhile PostgreSQL, and then `ap serve`, is killed
/// with SIGKILL and started again.
@Suite(
    "Writes exactly once while PostgreSQL or ap serve is killed",
    .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct FaultTests {
    static let clients = 100

    /// What became of one client's requests.
    struct Outcome: Sendable {
        var acknowledged = 0
        /// Attempts that failed (no answer, or a 5xx) and were sent again.
        var retried = 0
        /// Answers refusing the client's own request (4xx): each one a request wrongly refused.
        var refused = [String]()
        var finished: ContinuousClock.Instant?
    }

    @Test("kill -9 of PostgreSQL, then of ap serve, under 100 retrying clients: 0 writes lost, 0 duplicated, 0 wrongly refused")
    func killsUnderLoad() async throws {
        try await LocalCluster.with { cluster in
            let pool = PostgresPool(settings: cluster.settings, maxConnections: 4)
            try await Migrator(pool: pool, migrations: try Migration.load(from: TestDatabase.sqlFolder)).migrate()
            let (premises, residents, token) = try await Self.world(pool)
            await pool.close()

            let port = try LocalCluster.freePort()
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = cluster.settings.connectionString
            environment["AP_PORT"] = String(port)
            environment["LOG_LEVEL"] = "critical"
            environment["AP_BREACH_SCAN_SECONDS"] = "3600"
            let binary = try CommandLineTests.binary().path
            var server = try Subprocess.start(binary, ["serve"], environment: environment)
            defer { server.kill() }
            let base = "http://127.0.0.1:\(port)"
            try await Self.waitReady(base)

            let session = Self.session()
            let start = Date().addingTimeInterval(-3 * 3_600)
            for phase in 0..<2 {
                let outcomes = Outcomes()
                let load = Task {
                    await withTaskGroup(of: Void.self) { group in
                        for client in 0..<Self.clients {
                            group.addTask {
                                let outcome = await Self.run(
                                    client: client, phase: phase, placement: residents[client], premises: premises,
                                    token: token, base: base, session: session, start: start, answered: outcomes)
                                outcomes.set(client, outcome)
                            }
                        }
                    }
                }
                // Once a sixth of the requests are answered, crash one side and bring it back.
                while outcomes.answered.load(ordering: .relaxed) < Self.clients {
                    try await Task.sleep(for: .milliseconds(5))
                }
                if phase == 0 {
                    try cluster.kill()
                    try await Task.sleep(for: .seconds(1))
                    try await cluster.start()
                } else {
                    server.kill()
                    try await Task.sleep(for: .seconds(1))
                    server = try Subprocess.start(binary, ["serve"], environment: environment)
                }
                let restarted = ContinuousClock.now
                _ = await load.value
                let all = outcomes.all
                let kind = phase == 0 ? "PostgreSQL" : "ap serve"
                #expect(all.allSatisfy { $0.refused.isEmpty }, "\(kind): refused \(all.flatMap(\.refused).prefix(5))")
                #expect(
                    all.map(\.acknowledged).reduce(0, +) == Self.clients * Self.steps.count, "\(kind): not every request was acknowledged")
                let slowest = all.compactMap(\.finished).max().map { $0 - restarted } ?? .zero
                let retried = all.map(\.retried).reduce(0, +)
                print(
                    "fault test, \(kind) killed: \(all.map(\.acknowledged).reduce(0, +)) acknowledged, \(retried) attempts retried, "
                        + "last client done \(slowest) after the restart")
                // The kill landed while requests were in flight.
                #expect(retried > 0, "\(kind): no request failed, so the kill missed the load")
                #expect(slowest < .seconds(60), "\(kind): the last client finished \(slowest) after the restart")
            }

            // Every logical request is in the database exactly once.
            let check = PostgresPool(settings: cluster.settings, maxConnections: 1)
            let perResident = try await check.query(
                """
                SELECT placement_id::text AS id, count(*)::integer AS n, count(*) FILTER (WHERE corrects_id IS NOT NULL)::integer AS corrections
                FROM movement GROUP BY placement_id
                """)
            let movements = Dictionary(
                uniqueKeysWithValues: try perResident.map {
                    (try $0.decode("id", as: String.self).lowercased(), try $0.decode("n", as: Int.self))
                })
            let corrections = try perResident.map { try $0.decode("corrections", as: Int.self) }
            #expect(movements.count == Self.clients)
            #expect(movements.values.allSatisfy { $0 == 10 }, "movements per resident: \(Set(movements.values))")
            #expect(corrections.allSatisfy { $0 == 2 })
            let incidents = try await check.query("SELECT summary, count(*)::integer AS n FROM incident GROUP BY summary")
            #expect(incidents.count == Self.clients * 2)
            #expect(try incidents.allSatisfy { try $0.decode("n", as: Int.self) == 1 }, "an incident was recorded twice")
            let audits: Int = try await check.query("SELECT count(*)::integer AS n FROM audit_event WHERE action LIKE 'movement.%'").first!
                .decode("n")
            #expect(audits == Self.clients * 10)
            await check.close()
        }
    }

    /// The outcomes of every client, filled in as they finish.
    final class Outcomes: Sendable {
        private let outcomes = Mutex<[Outcome]>(Array(repeating: Outcome(), count: FaultTests.clients))
        /// Requests answered so far, across clients.
        let answered = Atomic<Int>(0)

        func set(_ client: Int, _ outcome: Outcome) { outcomes.withLock { $0[client] = outcome } }

        var all: [Outcome] { outcomes.withLock { $0 } }
    }

    /// Each client's writes, in order, within a phase (minutes after the phase's start).
    static let steps: [(kind: String, minute: Int)] = [("out", 1), ("in", 5), ("incident", 6), ("out", 7), ("in", 9), ("correct", 10)]

    /// One client: each step sent under its own key until the service answers it.
    static func run(
        client: Int, phase: Int, placement: String, premises: String, token: String, base: String,
        session: URLSession, start: Date, answered outcomes: Outcomes
    ) async -> Outcome {
        var outcome = Outcome()
        var lastIn: Int64?
        let phaseStart = start.addingTimeInterval(Double(phase * 30 * 60))
        for (index, step) in steps.enumerated() {
            let at = phaseStart.addingTimeInterval(Double(step.minute * 60)).formatted(.iso8601)
            let (path, body): (String, [String: Any]) =
                switch step.kind {
                case "incident":
                    (
                        "/premises/\(premises)/incidents",
                        [
                            "kind": "other", "severity": "low", "occurredAt": at, "location": "office",
                            "summary": "client \(client) phase \(phase)",
                            "actionTaken": "noted",
                        ]
                    )
                case "correct":
                    (
                        "/movements/\(lastIn ?? 0)/correction",
                        ["entry": ["kind": "in", "occurredAt": at], "reason": "the time was misread"]
                    )
                default:
                    ("/placements/\(placement)/movements", ["kind": step.kind, "occurredAt": at])
                }
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.setValue("fault-\(client)-\(phase)-\(index)", forHTTPHeaderField: "Idempotency-Key")
            request.httpBody = try? JSONSerialization.data(withJSONObject: body)
            let giveUp = ContinuousClock.now + .seconds(150)
            while ContinuousClock.now < giveUp {
                guard let (data, response) = try? await session.data(for: request), let status = (response as? HTTPURLResponse)?.statusCode,
                    status < 500
                else {
                    outcome.retried += 1
                    try? await Task.sleep(for: .milliseconds(200))
                    continue
                }
                outcomes.answered.add(1, ordering: .relaxed)
                if (200..<300).contains(status) {
                    outcome.acknowledged += 1
                    if step.kind == "in" {
                        lastIn = (((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["id"] as? NSNumber)?.int64Value
                    }
                } else {
                    outcome.refused.append("client \(client) step \(index): \(status) \(String(decoding: data, as: UTF8.self))")
                }
                break
            }
        }
        outcome.finished = .now
        return outcome
    }

    /// A premises with 100 residents, each in a bed of their own, and a residential worker's token.
    static func world(_ pool: PostgresPool) async throws -> (premises: String, residents: [String], token: String) {
        let fixtures = Fixtures(pool: pool)
        let premises = try await fixtures.premises("FLT")
        _ = try await fixtures.staff("fault.admin", .administrator)
        _ = try await fixtures.staff("fault.night", .residentialWorker, premises: premises)
        let admin = try await fixtures.signIn("fault.admin").principal
        let token = try await fixtures.signIn("fault.night").token
        let rooms = RoomStore(pool: pool)
        let placements = PlacementStore(pool: pool)
        let today = CalendarDate.today(in: Premises.defaultTimeZone)
        var residents = [String]()
        for room in 0..<10 {
            let added = try await rooms.addRoom(premisesID: premises, name: "Room \(room)", floor: "1", characteristics: [], by: admin)
            for bed in 0..<10 {
                let id = try await rooms.addBed(
                    roomID: added.id, label: "\(room * 10 + bed)", inUseFrom: today.adding(days: -30), inUseUntil: nil, by: admin
                ).id
                let placement = try await placements.book(
                    NewPlacement(
                        premisesID: premises, crn: String(format: "F%06d", room * 10 + bed), personName: "Resident \(room * 10 + bed)",
                        expectedArrival: today.adding(days: -1), expectedDeparture: today.adding(days: 20), bedID: id), by: admin)
                _ = try await placements.arrive(
                    placement.id, at: Date().addingTimeInterval(-4 * 3_600), keyWorkerID: nil, expectedVersion: nil, by: admin)
                residents.append(placement.id.uuidString.lowercased())
            }
        }
        return (premises.uuidString.lowercased(), residents, token)
    }

    /// A URL session that lets every client have a connection of its own.
    static func session() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = clients * 2
        configuration.timeoutIntervalForRequest = 10
        return URLSession(configuration: configuration)
    }

    static func waitReady(_ base: String) async throws {
        for _ in 0..<300 {
            var request = URLRequest(url: URL(string: base + "/ready")!)
            request.timeoutInterval = 2
            if let (_, response) = try? await URLSession.shared.data(for: request), (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestDatabaseError("ap serve did not become ready")
    }
}
