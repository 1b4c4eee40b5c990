import Foundation
import Synchronization

/// The local mail transfer agent, reached through the sendmail interface every MTA provides
/// (`AP_SENDMAIL`, by default `/usr/sbin/sendmail -t -i`: msmtp, exim4 or postfix): the message
/// on standard input, the recipients read from its headers. Exit status 0 means the agent has
/// taken the message; anything else is a failed attempt, with what the agent said.
struct Sendmail: Sendable {
    /// The program and its arguments, split on spaces (`AP_SENDMAIL`).
    let command: [String]
    /// How long the agent may take before it is stopped and the attempt counts as failed.
    var timeout: Duration = .seconds(60)

    init(command: String) {
        self.command = command.split(separator: " ").map(String.init)
    }

    /// What went wrong handing a message over.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Hands `message` to the agent; throws `Failure` with the agent's words when it refuses.
    func send(_ message: String) async throws {
        guard let program = command.first else { throw Failure(description: "AP_SENDMAIL is empty") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(command.dropFirst())
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = errors
        process.standardError = errors
        let watchdog = Mutex<Task<Void, any Error>?>(nil)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                watchdog.withLock { $0?.cancel() }
                continuation.resume(returning: process.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: Failure(description: "could not start \(program): \(error.localizedDescription)"))
                return
            }
            let timeout = self.timeout
            watchdog.withLock {
                $0 = Task {
                    try await Task.sleep(for: timeout)
                    if process.isRunning { process.terminate() }
                }
            }
            // The agent may refuse before reading it all; writing to its closed pipe is then an
            // error (SIGPIPE is ignored: see `MailJob`), and no matter.
            try? input.fileHandleForWriting.write(contentsOf: Data(message.utf8))
            try? input.fileHandleForWriting.close()
        }
        guard status == 0 else {
            let said = String(decoding: (try? errors.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
                .split(whereSeparator: \.isNewline).suffix(3).joined(separator: " / ")
            throw Failure(description: "\(program) exited with status \(status)" + (said.isEmpty ? "" : ": \(said)"))
        }
    }
}
