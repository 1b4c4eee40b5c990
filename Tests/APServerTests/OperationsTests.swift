import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What an operator's tools read: `/metrics` in the Prometheus text format, the logs as JSON lines
/// with nothing personal in them, and the systemd unit.
@Suite("Metrics, logs and the systemd unit", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct OperationsTests {
    /// One sample of the Prometheus text format: name, labels, value.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Parses the Prometheus text exposition format (0.0.4) strictly: every line a comment
    /// (`# HELP`/`# TYPE`) or a sample `name{label="value",...} number`; anything else fails.
    static func parse(_ text: String) throws -> [Sample] {
        var samples = [Sample]()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") { continue }
            let pattern = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$/
            guard let match = try pattern.wholeMatch(in: String(line)) else {
                throw TestDatabaseError("not a Prometheus line: \(line)")
            }
            var labels = [String: String]()
            if let body = match.3 {
                for pair in String(body).matches(of: /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/) {
                    labels[String(pair.1)] = String(pair.2)
                }
                if labels.isEmpty && !body.isEmpty { throw TestDatabaseError("unreadable labels: \(line)") }
            }
            samples.append(Sample(name: String(match.1), labels: labels, value: Double(String(match.4)) ?? .nan))
        }
        return samples
    }

    @Test("/metrics parses as Prometheus text, and its counters move with the load")
    func metricsMoveWithLoad() async throws {
        try await withApp { client, world in
            func scrape() async throws -> [Sample] {
                let answer = try await client.execute(uri: "/metrics", method: .get)
                #expect(answer.status == .ok)
                #expect(answer.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                return try Self.parse(answer.text)
            }
            func value(_ samples: [Sample], _ name: String, _ labels: [String: String]) -> Double {
                samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.map(\.value)
                    .reduce(0, +)
            }
            let before = try await scrape()
            for _ in 0..<3 {
                let tonight = try await client.execute(uri: "/premises/\(world.elm)/tonight", method: .get, headers: world.headers("night"))
                #expect(tonight.status == .ok)
            }
            let refused = try await client.execute(uri: "/premises/\(world.oak)/tonight", method: .get, headers: world.headers("night"))
            #expect(refused.status == .notFound)
            // A POST sent twice under one key: the second is a replay.
            let key: HTTPFields = [.init("Idempotency-Key")!: "metrics-test-1"]
            for _ in 0..<2 {
                let out = try await client.execute(
                    uri: "/placements/\(world.placement)/arrival", method: .post, headers: world.headers("night", key),
                    body: json(["arrivedAt": "\(testDay(0))T10:00:00Z"]))
                #expect(out.status == .ok, "\(out.text)")
            }
            let after = try await scrape()
            let tonight = ["operation": "getTonight", "status": "200"]
            #expect(value(after, "ap_http_requests_total", tonight) - value(before, "ap_http_requests_total", tonight) == 3)
            #expect(value(after, "ap_http_requests_total", ["operation": "getTonight", "status": "404"]) == 1)
            #expect(value(after, "ap_idempotent_replays_total", ["operation": "recordArrival"]) == 1)
            #expect(value(after, "ap_http_request_duration_seconds_count", ["operation": "getTonight"]) >= 3)
            #expect(after.contains { $0.name == "ap_http_request_duration_seconds_bucket" && $0.labels["le"] == "+Inf" })
            #expect(after.contains { $0.name == "ap_db_pool_connections" && $0.labels["state"] == "in_use" })
            #expect(after.contains { $0.name == "ap_db_pool_connections_replaced_total" })
        }
    }

    @Test(
        "with LOG_FORMAT=json every line ap serve logs is a JSON object, request lines carry the request id, and no name, CRN or token appears"
    )
    func jsonLogs() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await TestWorld.make(pool: pool)
            let port = try LocalCluster.freePort()
            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let log = folder.appendingPathComponent("serve.log")
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = pool.settings.connectionString
            environment["AP_PORT"] = String(port)
            environment["LOG_FORMAT"] = "json"
            environment["LOG_LEVEL"] = "info"
            let server = try Subprocess.start(
                "/bin/bash", ["-c", "exec '\(try CommandLineTests.binary().path)' serve > '\(log.path)' 2>&1"],
                environment: environment)
            defer { server.kill() }
            let base = "http://127.0.0.1:\(port)"
            try await FaultTests.waitReady(base)
            let token = world.tokens["night"]!
            for path in [
                "/premises/\(world.elm)/tonight", "/premises/\(world.oak)/tonight", "/no/such/thing", "/placements/\(world.placement)",
            ] {
                var request = URLRequest(url: URL(string: base + path)!)
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                _ = try await URLSession.shared.data(for: request)
            }
            try await Task.sleep(for: .milliseconds(300))
            let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            #expect(lines.count >= 4)
            var requestLines = 0
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                let fields = try #require(object, "not a JSON object: \(line)")
                #expect(fields["time"] != nil && fields["level"] != nil && fields["message"] != nil, "\(line)")
                if fields["hb.request.path"] != nil {
                    requestLines += 1
                    #expect(fields["hb.request.id"] != nil, "a request line without its request id: \(line)")
                }
                for secret in [token, "Sam Jones", "X000001", world.staff["night"]!.displayName] {
                    #expect(!line.contains(secret), "a log line gives away \(secret): \(line)")
                }
            }
            #expect(requestLines >= 4)
        }
    }

    @Test("the systemd unit verifies with systemd-analyze (where systemd is installed)")
    func systemdUnit() async throws {
        let unit = try String(contentsOf: TestDatabase.checkout.appendingPathComponent("Deploy/systemd/ap.service"), encoding: .utf8)
        for directive in ["DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "Restart=on-failure", "EnvironmentFile="] {
            #expect(unit.contains(directive), "the unit lacks \(directive)")
        }
        let analyze = "/usr/bin/systemd-analyze"
        guard FileManager.default.isExecutableFile(atPath: analyze) else { return }
        // The unit names the installed path; verify it against the ap just built.
        let folder = try CommandLineTests.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("ap.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/ap serve", with: "\(try CommandLineTests.binary().path) serve")
            .write(to: copy, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("analyze.log")
        let status = try await Subprocess.run(
            analyze, ["verify", copy.path], environment: ProcessInfo.processInfo.environment, output: output)
        let said = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(status == 0 && said.isEmpty, "systemd-analyze verify: \(said)")
    }
}
