import ApprovedPremises
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// How the service delivers the outbox (`AP_SENDMAIL`, `AP_MAIL_FROM`, `AP_MAIL_SECONDS`, …).
public struct MailSettings: Sendable {
    /// The sendmail-compatible command the messages are handed to.
    public var sendmail = "/usr/sbin/sendmail -t -i"
    /// The `From` of every message.
    public var from = "Approved Premises <no-reply@approved-premises.invalid>"
    /// The domain of every `Message-ID` (`<id@domain>`).
    public var domain = "approved-premises.invalid"
    /// How often the job looks for messages that are due.
    public var interval: Duration = .seconds(5)
    /// How long a claimed message is this service's to send before another may take it.
    public var lease: Duration = .seconds(300)
    /// When to try again, and when to give up.
    public var retry = NotificationStore.RetryPolicy()
    /// Messages handed to the agent at once.
    public var parallel = 4

    /// The defaults.
    public init() {}

    /// The settings the environment gives, the domain taken from `publicURL` unless `AP_MAIL_DOMAIN` says.
    static func fromEnvironment(_ environment: [String: String], publicURL: String?) -> MailSettings {
        var settings = MailSettings()
        if let host = publicURL.flatMap({ URL(string: $0)?.host }), !host.isEmpty {
            settings.domain = host
            settings.from = "Approved Premises <no-reply@\(host)>"
        }
        if let domain = environment["AP_MAIL_DOMAIN"], !domain.isEmpty { settings.domain = domain }
        if let command = environment["AP_SENDMAIL"], !command.isEmpty { settings.sendmail = command }
        if let from = environment["AP_MAIL_FROM"], !from.isEmpty { settings.from = from }
        if let seconds = environment["AP_MAIL_SECONDS"].flatMap(Double.init), seconds > 0 {
            settings.interval = .milliseconds(Int(seconds * 1000))
        }
        if let seconds = environment["AP_MAIL_LEASE_SECONDS"].flatMap(Int.init), seconds > 0 { settings.lease = .seconds(seconds) }
        if let seconds = environment["AP_MAIL_RETRY_SECONDS"].flatMap(Double.init), seconds > 0 {
            settings.retry.firstRetry = .milliseconds(Int(seconds * 1000))
        }
        if let seconds = environment["AP_MAIL_GIVE_UP_SECONDS"].flatMap(Int.init), seconds > 0 {
            settings.retry.giveUpAfter = .seconds(seconds)
        }
        return settings
    }
}

/// Delivers the outbox: every `interval` it claims the messages that are due, renders each and
/// hands it to the local mail transfer agent, and records how it went; it also writes the
/// move-on messages that have become due. Several services may run it at once: a message is
/// claimed by one of them (`FOR UPDATE SKIP LOCKED` and a lease), so it is handed over once,
/// unless the service dies between handing it over and recording it: then it is handed over
/// again when the lease ends, with the same `Message-ID`.
public struct MailJob: Service {
    let store: NotificationStore
    let renderer: MailRenderer
    let sendmail: Sendmail
    let settings: MailSettings
    let status: MailJobStatus
    let logger: Logger
    /// What passes remember between them.
    let memory = Memory()

    final class Memory: Sendable {
        /// The attempts that failed since the last pass ended: logged once a pass, not once a message.
        private let failures = Mutex(0)
        /// When the move-on messages were last looked for.
        private let moveOnLooked = Mutex<ContinuousClock.Instant?>(nil)

        func failed() { failures.withLock { $0 += 1 } }

        /// How many failed since the last call, if any.
        func takeFailures() -> Int? {
            failures.withLock { count in
                defer { count = 0 }
                return count == 0 ? nil : count
            }
        }

        /// Whether the move-on messages are to be looked for now: the first time, then every 15 minutes.
        func moveOnDue(now: ContinuousClock.Instant = .now) -> Bool {
            moveOnLooked.withLock { last in
                guard last.map({ now - $0 >= .seconds(900) }) ?? true else { return false }
                last = now
                return true
            }
        }
    }

    /// The job over the outbox's store, delivering as `settings` say, linking to `publicURL`.
    public init(store: NotificationStore, settings: MailSettings, publicURL: String?, status: MailJobStatus, logger: Logger) throws {
        // Writing a message to an agent that has already exited must be an error, not the end
        // of the service.
        signal(SIGPIPE, SIG_IGN)
        self.store = store
        self.settings = settings
        self.renderer = try MailRenderer(from: settings.from, publicURL: publicURL ?? "http://localhost:8080")
        self.sendmail = Sendmail(command: settings.sendmail)
        self.status = status
        self.logger = logger
    }

    /// One pass: writes the move-on messages that have become due (at the first pass, then at
    /// most every 15 minutes: they change with the date, not with every pass), then delivers
    /// every message that is due, batch by batch; says how many were handed over.
    @discardableResult
    public func pass() async throws -> Int {
        if memory.moveOnDue() {
            try await store.findMoveOnDue(today: .today(in: Premises.defaultTimeZone))
        }
        var handedOver = 0
        while true {
            let batch = try await store.claim(limit: settings.parallel * 8, lease: settings.lease, domain: settings.domain)
            if batch.isEmpty { break }
            handedOver += try await withThrowingTaskGroup(of: Bool.self) { group in
                var sent = 0
                for (index, notification) in batch.enumerated() {
                    if index >= settings.parallel, let one = try await group.next() { sent += one ? 1 : 0 }
                    group.addTask { try await deliver(notification) }
                }
                for try await one in group { sent += one ? 1 : 0 }
                return sent
            }
            if batch.count < settings.parallel * 8 { break }
        }
        status.succeeded()
        if handedOver > 0 { logger.info("handed messages to the mail transfer agent", metadata: ["count": "\(handedOver)"]) }
        if let count = memory.takeFailures() {
            logger.warning(
                "messages were not handed over to the mail transfer agent; each is tried again until it fails (ap notifications list --waiting says why)",
                metadata: ["count": "\(count)"])
        }
        return handedOver
    }

    /// Renders `messages` and hands them to the agent, as many at once as a pass does, without
    /// the database: what delivery costs the agent alone (the benchmark's baseline).
    public func handOverOnly(_ messages: [OutboxMessage]) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, message) in messages.enumerated() {
                if index >= settings.parallel { try await group.next() }
                group.addTask { try await sendmail.send(try renderer.message(message)) }
            }
            try await group.waitForAll()
        }
    }

    /// Hands one message over and records how it went; true when the agent took it.
    func deliver(_ notification: OutboxMessage) async throws -> Bool {
        do {
            try await sendmail.send(try renderer.message(notification))
        } catch {
            let reason = (error as? Sendmail.Failure)?.description ?? String(describing: error)
            try await store.markAttemptFailed(notification.id, reason: reason, policy: settings.retry)
            // The MTA's words can quote an address: they are kept with the message (ap notifications
            // list), never logged.
            logger.debug(
                "a message was not handed over", metadata: ["notification": "\(notification.id)", "attempt": "\(notification.attempts)"])
            memory.failed()
            status.recordMessage(sent: false)
            return false
        }
        try await store.markSent(notification.id)
        status.recordMessage(sent: true)
        return true
    }

    /// Delivers every `interval` until the service shuts down.
    public func run() async throws {
        await repeatUntilShutdown(every: settings.interval) { [status, logger] error in
            status.failed()
            logger.warning("the mail job could not run; it will try again", metadata: ["error": "\(LogSafe.describe(error))"])
        } _: {
            try await pass()
        }
    }
}
