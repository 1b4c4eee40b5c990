import ApprovedPremises
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Testing
import TestSupport
@testable import APServer

@Suite("Long work never hangs the service: report timeouts and a prompt stop", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ShutdownTests {
    @Test("a report that runs past its statement timeout is answered 503 with a sentence, and the service goes on answering")
    func reportTimeout() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await TestWorld.make(pool: pool)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            var settings = pool.settings
            settings.statementTimeoutSeconds = 1
            let reportPool = PostgresPool(settings: settings, maxConnections: 2)
            let router = try buildRouter(pool: pool, reportPool: reportPool, passwordHasher: PasswordHasher(cost: 4), logger: logger)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
            try await app.test(.router) { client in
                // Someone holds the beds table (a long migration, say): the report waits on it until its limit.
                try await pool.transaction { connection in
                    try await connection.execute("LOCK TABLE bed IN ACCESS EXCLUSIVE MODE")
                    let started = ContinuousClock.now
                    let response = try await client.execute(
                        uri: "/reports/occupancy?premisesId=\(world.elm)&from=2026-12-01&to=2026-12-08&period=day", method: .get,
                        headers: world.headers("manager"))
                    #expect(response.status == .serviceUnavailable)
                    #expect(try response.json()["detail"] as? String
                            == "the report took longer than its limit of 1 seconds and was stopped; ask for a shorter range or a smaller scope, or try again later")
                    #expect(ContinuousClock.now - started < .seconds(10))
                }
                let after = try await client.execute(uri: "/reports/occupancy?premisesId=\(world.elm)&from=2026-12-01&to=2026-12-08&period=day",
                                                     method: .get, headers: world.headers("manager"))
                #expect(after.status == .ok)
            }
            await reportPool.close()
        }
    }

    @Test("ap serve stops within 10 seconds of SIGTERM while a report and the breach job are stuck on the database")
    func promptStop() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await TestWorld.make(pool: pool)
            let port = try freePort()
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = pool.settings.connectionString
            environment["AP_PORT"] = String(port)
            environment["AP_REPORT_TIMEOUT_SECONDS"] = "120"
            environment["AP_SHUTDOWN_GRACE_SECONDS"] = "2"
            environment["AP_BREACH_SCAN_SECONDS"] = "1"
            environment["LOG_LEVEL"] = "critical"
            let server = try Spawned(try CommandLineTests.binary().path, ["serve"], environment: environment)
            defer { server.kill() }
            let base = "http://127.0.0.1:\(port)"
            var ready = false
            for _ in 0..<100 where !ready {
                ready = (try? await get(base + "/ready").status) == 200
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            try #require(ready, "the service did not start")

            try await pool.transaction { connection in
                // The breach job reads the sign-out log; the report reads the beds: both now wait.
                try await connection.execute("LOCK TABLE bed, movement IN ACCESS EXCLUSIVE MODE")
                let report = Task {
                    try? await get(base + "/reports/occupancy?premisesId=\(world.elm)&from=2026-12-01&to=2026-12-08&period=day",
                                   token: world.tokens["manager"]!)
                }
                try await Task.sleep(for: .milliseconds(1500))
                let signalled = ContinuousClock.now
                server.terminate()
                let status = try await server.wait(upTo: .seconds(20))
                let took = ContinuousClock.now - signalled
                #expect(status != nil, "ap serve was still running 20 seconds after SIGTERM")
                #expect(took < .seconds(10))
                #expect(status == 0)
                // The report in flight was answered or cut off, not left hanging.
                _ = await report.value
            }
        }
    }

    func get(_ url: String, token: String? = nil) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 30
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw TestDatabaseError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A program running beside the test, which the test signals and waits for.
final class Spawned: Sendable {
    let pid: pid_t

    init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, nil, nil, argv, envp)
        guard spawned == 0 else { throw TestDatabaseError("cannot run \(path): \(String(cString: strerror(spawned)))") }
        self.pid = pid
    }

    func terminate() {
        _ = Glibc.kill(pid, SIGTERM)
    }

    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }

    /// Its exit status once it has exited, or nil if it is still running after `limit`.
    func wait(upTo limit: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
