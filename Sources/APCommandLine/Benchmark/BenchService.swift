import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `ap serve` run by the benchmark: this same executable, on the benchmark's database.
struct BenchService {
    let process: Process

    static func start(port: Int, environment: [String: String]) throws -> BenchService {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path),
           let own = Bundle.main.executableURL {
            process.executableURL = own
        }
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port)]
        var environment = environment
        environment["AP_DB_MAX_CONNECTIONS"] = environment["AP_DB_MAX_CONNECTIONS"] ?? "16"
        // The breach pass is timed on its own: the service's job must not run beside the other figures.
        environment["AP_BREACH_SCAN_SECONDS"] = "86400"
        environment["LOG_LEVEL"] = "warning"
        process.environment = environment
        try process.run()
        return BenchService(process: process)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}

/// Calls on the benchmark's service, as its account.
struct BenchAPI: Sendable {
    let http: HTTPClient
    let base: String
    let token: String

    func waitUntilReady() async throws {
        for _ in 0..<300 {
            if let response = try? await http.execute(HTTPClientRequest(url: base + "/ready"), timeout: .seconds(2)), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CLIError("the service the benchmark started did not become ready on \(base)")
    }

    /// A GET's body; anything but 200 is an error.
    func get(_ path: String) async throws -> Data {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        return try await send(request, expecting: .ok)
    }

    /// A POST of JSON with a fresh Idempotency-Key; anything but `expecting` is an error.
    func post(_ path: String, json: [String: String], expecting: HTTPResponseStatus = .created) async throws -> Data {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: UUID().uuidString)
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        return try await send(request, expecting: expecting)
    }

    private func send(_ request: HTTPClientRequest, expecting: HTTPResponseStatus) async throws -> Data {
        let response = try await http.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status == expecting else {
            throw CLIError("\(request.method.rawValue) \(request.url) answered \(response.status.code): \(String(buffer: body))")
        }
        return Data(body.readableBytesView)
    }
}
