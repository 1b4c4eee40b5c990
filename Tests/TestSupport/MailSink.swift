import Foundation

/// A real SMTP server for a test (aiosmtpd, `Deploy/tools/smtp-sink.py`) that keeps each message
/// it accepts as a file, and an msmtp configuration that hands messages to it: what the service's
/// `AP_SENDMAIL` should be is `sendmail`. Recipients at `rejected.invalid` are refused (550).
public struct MailSink: Sendable {
    /// One message as the server received it.
    public struct Mail: Sendable {
        public var headers: [String: String]
        public var body: String
        public var to: String { headers["to"] ?? "" }
        public var subject: String { headers["subject"] ?? "" }
        public var messageID: String { headers["message-id"] ?? "" }
        public var event: String { headers["x-ap-event"] ?? "" }
    }

    public let port: Int
    public let folder: URL
    let configuration: URL
    let process: Subprocess.Running

    /// The sendmail command that hands a message to this server (msmtp).
    public var sendmail: String { "\(Self.msmtp) -C \(configuration.path) -t -i" }

    static let msmtp = ["/usr/bin/msmtp", "/usr/local/bin/msmtp"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "msmtp"

    /// The Python with aiosmtpd: `AP_MAIL_PYTHON`, else the checkout's `.local/mailvenv` (Deploy/mail.sh install).
    static var python: String {
        ProcessInfo.processInfo.environment["AP_MAIL_PYTHON"]
            ?? TestDatabase.checkout.appendingPathComponent(".local/mailvenv/bin/python").path
    }

    /// Starts a server on a free port (or `port`, to start one again where it was) keeping mail in
    /// `folder` (a new one when nil).
    public static func start(port: Int? = nil, folder: URL? = nil) async throws -> MailSink {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestDatabaseError("no Python with aiosmtpd at \(python): run bash Deploy/mail.sh install")
        }
        let port = try port ?? LocalCluster.freePort()
        let folder = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("ap-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let ready = folder.appendingPathComponent(".ready")
        try? FileManager.default.removeItem(at: ready)
        let configuration = folder.appendingPathComponent(".msmtprc")
        try "defaults\nauth off\ntls off\ntimeout 10\naccount default\nhost 127.0.0.1\nport \(port)\nfrom no-reply@localhost\n"
            .write(to: configuration, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: configuration.path)
        let process = try Subprocess.start(
            python,
            [
                TestDatabase.checkout.appendingPathComponent("Deploy/tools/smtp-sink.py").path, "--port", "\(port)", "--dir", folder.path,
                "--ready-file", ready.path,
            ],
            environment: ProcessInfo.processInfo.environment)
        for _ in 0..<200 {
            if FileManager.default.fileExists(atPath: ready.path) {
                return MailSink(port: port, folder: folder, configuration: configuration, process: process)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.kill()
        throw TestDatabaseError("the SMTP server did not start on port \(port)")
    }

    /// Stops the server (the mail it kept stays, for `mail()`).
    public func stop() async {
        process.terminate()
        if (try? await process.wait(upTo: .seconds(5))) == nil { process.kill() }
    }

    /// Every message received so far, in the order received.
    public func mail() throws -> [Mail] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.sorted()
            .map { name in
                let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                    .replacingOccurrences(of: "\r\n", with: "\n")
                let parts = text.components(separatedBy: "\n\n")
                var headers = [String: String]()
                for line in parts[0].split(separator: "\n") {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return Mail(headers: headers, body: parts.dropFirst().joined(separator: "\n\n"))
            }
    }

    /// Waits until at least `count` messages have arrived, and returns them all.
    public func waitForMail(count: Int, upTo limit: Duration = .seconds(30)) async throws -> [Mail] {
        let deadline = ContinuousClock.now + limit
        while true {
            let received = try mail()
            if received.count >= count || ContinuousClock.now > deadline { return received }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
