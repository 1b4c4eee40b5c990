import Foundation

/// Runs a program and waits for it with posix_spawn and waitpid.
///
/// Not Foundation's `Process`: on Linux its `waitUntilExit` can wait forever when the program
/// leaves a daemon behind (as `pg_ctl start` does), and a test must never hang.
public enum Subprocess {
    /// Runs `path` with `arguments`; stdout and stderr go to `output`, stdin reads `input`
    /// (empty when nil). Returns the exit status.
    ///
    /// The wait happens on a Dispatch thread, never on Swift's cooperative pool: a test that
    /// runs `ap` against a server in the same process must leave that pool free to serve it.
    @discardableResult
    public static func run(_ path: String, _ arguments: [String], environment: [String: String], output: URL, input: String? = nil)
        async throws -> Int32
    {
        let inputFile = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ap-stdin-\(UUID().uuidString)")
        try Data((input ?? "").utf8).write(to: inputFile)
        defer { try? FileManager.default.removeItem(at: inputFile) }
        FileManager.default.createFile(atPath: output.path, contents: nil)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputFile.path, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        let child = try spawn(path, arguments, environment: environment, actions: &actions)
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(child, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        return exitStatus(status)
    }

    /// The exit status `waitpid` reported (128 + the signal for a program a signal ended):
    /// WIFEXITED / WEXITSTATUS, which Swift cannot import as macros.
    static func exitStatus(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Starts `path` and returns at once, for a program the test signals and waits for itself.
    public static func start(_ path: String, _ arguments: [String], environment: [String: String]) throws -> Running {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        return Running(pid: try spawn(path, arguments, environment: environment, actions: &actions))
    }

    private static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String],
        actions: inout posix_spawn_file_actions_t
    ) throws -> pid_t {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw TestDatabaseError("cannot run \(path): \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// A program running beside the test.
    public struct Running: Sendable {
        public let pid: pid_t

        /// Asks it to stop (SIGTERM).
        public func terminate() {
            _ = Glibc.kill(pid, SIGTERM)
        }

        /// Stops it at once (SIGKILL), if it is still there.
        public func kill() {
            _ = Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
        }

        /// Its exit status once it has exited, or nil if it is still running after `limit`.
        public func wait(upTo limit: Duration) async throws -> Int32? {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { return Subprocess.exitStatus(status) }
                try await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }
    }
}
