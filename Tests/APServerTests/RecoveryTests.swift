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

@Suite("The service across a PostgreSQL restart", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct RecoveryTests {
    @Test("while PostgreSQL is down the service answers 503; once it is back, it answers again without a restart")
    func survivesDatabaseRestart() async throws {
        try await LocalCluster.with { cluster in
            let pool = PostgresPool(settings: cluster.settings, maxConnections: 2)
            try await Migrator(pool: pool, migrations: try Migration.load(from: TestDatabase.sqlFolder)).migrate()
            try await DemoData(pool: pool, hasher: PasswordHasher(cost: 4)).load()
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let router = try buildRouter(pool: pool, passwordHasher: PasswordHasher(cost: 4), logger: logger)
            let app = Application(router: router, logger: logger)
            try await app.test(.router) { client in
                let signIn = try await client.execute(
                    uri: "/auth/sign-in", method: .post, headers: [.contentType: "application/json"],
                    body: json(["username": "night", "password": DemoData.password]))
                let token = try #require(try signIn.json()["token"] as? String)
                let me = { try await client.execute(uri: "/me", method: .get, headers: [.authorization: "Bearer \(token)"]) }
                #expect(try await me().status == .ok)

                try await cluster.stop()
                let down = try await client.execute(uri: "/ready", method: .get)
                #expect(down.status == .serviceUnavailable)
                let meDown = try await me()
                #expect(meDown.status == .serviceUnavailable)
                #expect(meDown.headers[.contentType] == "application/problem+json")

                try await cluster.start()
                let started = ContinuousClock.now
                var ready = try await client.execute(uri: "/ready", method: .get)
                while ready.status != .ok, ContinuousClock.now - started < .seconds(60) {
                    try await Task.sleep(for: .milliseconds(200))
                    ready = try await client.execute(uri: "/ready", method: .get)
                }
                #expect(ready.status == .ok)
                #expect(try await me().status == .ok)
            }
            await pool.close()
        }
    }
}
