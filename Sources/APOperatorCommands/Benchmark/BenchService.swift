import APClient
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `ap serve` run by the benchmark: this same executable, on the benchmark's database.
struct BenchService {
    let pid: pid_t

    static func start(port: Int, environment: [String: String]) throws -> BenchService {
        var executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !FileManager.default.isExecutableFile(atPath: executable.path), let own = Bundle.main.executableURL {
            executable = own
        }
        var environment = environment
        environment["AP_DB_MAX_CONNECTIONS"] = environment["AP_DB_MAX_CONNECTIONS"] ?? "16"
        // The breach pass is timed on its own: the service's job must not run beside the other figures.
        environment["AP_BREACH_SCAN_SECONDS"] = "86400"
        // The benchmark delivers e-mail itself, timed; the service it starts leaves it waiting.
        environment["AP_SENDMAIL"] = "off"
        environment["LOG_LEVEL"] = "warning"
        let log = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-bench-serve-\(UUID().uuidString).log")
        return BenchService(
            pid: try BenchProcess.spawn(
                executable.path, ["serve", "--host", "127.0.0.1", "--port", String(port)],
                environment: environment, output: log))
    }

    /// Whether it is still running.
    var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Stops it (SIGTERM, then SIGKILL if it is still there after 15 seconds).
    func stop() {
        _ = kill(pid, SIGTERM)
        for _ in 0..<300 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(50_000)
        }
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}

/// Programs the benchmark starts (`ap serve`, pgbench).
enum BenchProcess {
    /// Starts `path` with every signal unblocked and at its default, stdout and stderr to `output`.
    static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        output: URL
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw CLIError("cannot run \(path): \(String(cString: strerror(spawned)))") }
        return pid
    }
}

/// Calls on the benchmark's service, as its account.
struct BenchAPI: Sendable {
    let http: HTTPClient
    let base: String
    let token: String

    func waitUntilReady() async throws {
        for _ in 0..<300 {
            if let response = try? await http.execute(HTTPClientRequest(url: base + "/ready"), timeout: .seconds(2)), response.status == .ok
            {
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

    /// A web view page's HTML, asked for as a browser signed in with the same session would.
    func page(_ path: String) async throws -> Data {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Cookie", value: "ap_session=\(token)")
        request.headers.add(name: "Accept", value: "text/html")
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
