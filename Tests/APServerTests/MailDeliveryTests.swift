import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `ap serve` delivering the outbox as a deployment runs it: killed in the middle, and two of
/// them at once, against a real SMTP server.
@Suite(
    "ap serve delivering the outbox through crashes and beside another service",
    .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct MailDeliveryTests {
    static let messages = 500

    /// A database of its own with `messages` messages waiting, a pool on it, and its URL.
    static func withWaitingMessages(_ body: (PostgresPool, String) async throws -> Void) async throws {
        let name = try await TestDatabase.create()
        let pool = try TestDatabase.pool(name)
        do {
            try await pool.execute(
                """
                INSERT INTO notification (event, recipient_kind, recipient, details)
                SELECT 'booking_made', 'premises', 'ap' || (n % 7) || '@ap.example',
                       jsonb_build_object('personName', 'Person ' || n, 'crn', 'A' || lpad(n::text, 6, '0'), 'premisesName', 'Elm House',
                                          'arrival', '2026-12-24', 'departure', '2027-03-01', 'link', '/')
                FROM generate_series(1, \(messages)) n
                """)
            try await body(pool, try TestDatabase.server.database(name).connectionString)
            await pool.close()
            try await TestDatabase.drop(name)
        } catch {
            await pool.close()
            try? await TestDatabase.drop(name)
            throw error
        }
    }

    static func serve(_ databaseURL: String, sink: MailSink, port: Int? = nil) throws -> Subprocess.Running {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment["AP_PORT"] = String(try port ?? LocalCluster.freePort())
        environment["AP_SENDMAIL"] = sink.sendmail
        environment["AP_MAIL_SECONDS"] = "0.2"
        environment["AP_MAIL_LEASE_SECONDS"] = "3"
        environment["AP_BREACH_SCAN_SECONDS"] = "3600"
        environment["LOG_LEVEL"] = "critical"
        return try Subprocess.start(try CommandLineTests.binary().path, ["serve"], environment: environment)
    }

    static func sent(_ pool: PostgresPool) async throws -> Int {
        try await pool.query("SELECT count(*)::integer AS n FROM notification WHERE state = 'sent'")[0].decode("n")
    }

    static func waitAllSent(_ pool: PostgresPool) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(120)
        var sent = 0
        while ContinuousClock.now < deadline {
            sent = try await Self.sent(pool)
            if sent == messages { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return sent
    }

    @Test("kill -9 of ap serve in the middle of delivering 500 messages, then a restart: none lost, any duplicate with the same Message-ID")
    func killedWhileDelivering() async throws {
        try await Self.withWaitingMessages { pool, url in
            let sink = try await MailSink.start()
            var server = try Self.serve(url, sink: sink)
            let before = try await sink.waitForMail(count: Self.messages / 4, upTo: .seconds(60))
            server.kill()
            #expect(before.count >= Self.messages / 4 && before.count < Self.messages, "killed after \(before.count) messages")
            server = try Self.serve(url, sink: sink)
            let sent = try await Self.waitAllSent(pool)
            server.terminate()
            _ = try await server.wait(upTo: .seconds(10))
            let mail = try sink.mail()
            await sink.stop()
            #expect(sent == Self.messages)
            let ids = try await Set(pool.query("SELECT message_id FROM notification").map { try $0.decode("message_id", as: String.self) })
            #expect(Set(mail.map(\.messageID)) == ids)
            #expect(ids.count == Self.messages)
            let duplicates = mail.count - Self.messages
            print(
                "kill -9 while delivering \(Self.messages): \(before.count) delivered before the kill, \(duplicates) delivered twice (same Message-ID)"
            )
            #expect(duplicates >= 0 && duplicates <= 8, "at most one batch in flight per worker is handed over again")
        }
    }

    @Test("two ap serve processes delivering the same outbox together: each message handed over once")
    func twoServices() async throws {
        try await Self.withWaitingMessages { pool, url in
            let sink = try await MailSink.start()
            let ports = [try LocalCluster.freePort(), try LocalCluster.freePort()]
            let first = try Self.serve(url, sink: sink, port: ports[0])
            let second = try Self.serve(url, sink: sink, port: ports[1])
            let sent = try await Self.waitAllSent(pool)
            // Each service counts what it handed over (GET /metrics); together, every message once.
            var counted = 0
            for port in ports {
                let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
                let line = String(decoding: data, as: UTF8.self).split(separator: "\n")
                    .first { $0.hasPrefix("ap_mail_messages_total{result=\"handed_over\"}") }
                counted += Int(line?.split(separator: " ").last ?? "") ?? 0
            }
            #expect(counted == Self.messages, "the services' ap_mail_messages_total{result=\"handed_over\"} add up to \(counted)")
            first.terminate()
            second.terminate()
            _ = try await first.wait(upTo: .seconds(10))
            _ = try await second.wait(upTo: .seconds(10))
            let mail = try sink.mail()
            await sink.stop()
            #expect(sent == Self.messages)
            #expect(mail.count == Self.messages)
            #expect(Set(mail.map(\.messageID)).count == Self.messages)
        }
    }
}
