import Foundation
import Postgres

/// A PostgreSQL cluster of a test's own, made with Deploy/local-postgres.sh, for tests that
/// stop and start the server (which the shared test server must never do).
public final class LocalCluster: Sendable {
    /// The cluster's folder.
    public let folder: URL
    /// Its TCP port on 127.0.0.1.
    public let port: Int

    /// Creates and starts a cluster in a new temporary folder on a free port.
    public init() async throws {
        folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-cluster-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        port = try Self.freePort()
        try await run("start")
    }

    /// Runs `body` with a new cluster, destroyed afterwards whatever happens.
    public static func with<T>(_ body: (LocalCluster) async throws -> T) async throws -> T {
        let cluster = try await LocalCluster()
        do {
            let value = try await body(cluster)
            await cluster.destroy()
            return value
        } catch {
            await cluster.destroy()
            throw error
        }
    }

    /// Settings for its database.
    public var settings: ConnectionSettings {
        ConnectionSettings(connectionString: "postgresql://postgres@127.0.0.1:\(port)/approved_premises", connectTimeoutSeconds: 2)
    }

    /// Starts the cluster.
    public func start() async throws { try await run("start") }

    /// Stops the cluster (fast shutdown: open connections are cut).
    public func stop() async throws { try await run("stop") }

    /// Kills PostgreSQL as a crash would: SIGKILL to the postmaster and every process it
    /// started, at once, with no shutdown of any kind. `start()` then recovers it.
    public func kill() throws {
        try Self.kill(dataFolder: folder.appendingPathComponent("pg/data"))
    }

    /// SIGKILL to the postmaster of the data folder and every process it started, at once.
    public static func kill(dataFolder: URL) throws {
        let pidFile = dataFolder.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8), let line = text.split(separator: "\n").first,
            let postmaster = Int32(line)
        else {
            throw TestDatabaseError("no postmaster.pid in \(pidFile.path): is the cluster running?")
        }
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "pid (command)": state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == postmaster ? pid : nil
        }
        _ = Glibc.kill(postmaster, SIGKILL)
        for child in children { _ = Glibc.kill(child, SIGKILL) }
    }

    /// Stops the cluster and deletes its folder.
    public func destroy() async {
        try? await run("destroy")
        try? FileManager.default.removeItem(at: folder)
    }

    private func run(_ command: String) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["AP_PG_DIR"] = folder.appendingPathComponent("pg").path
        environment["AP_PG_PORT"] = String(port)
        environment["AP_PG_FSYNC"] = "off"
        let log = folder.appendingPathComponent("script-\(command).log")
        let status = try await Subprocess.run(
            "/bin/bash", [TestDatabase.checkout.appendingPathComponent("Deploy/local-postgres.sh").path, command],
            environment: environment, output: log)
        guard status == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestDatabaseError("local-postgres.sh \(command) failed: \(text)")
        }
    }

    /// A TCP port nothing listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestDatabaseError("no socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw TestDatabaseError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
