import ApprovedPremises
import CoreMetrics
import Foundation
import Postgres
import Prometheus
import Synchronization

/// The service's metrics, in the Prometheus text format at `GET /metrics`: recorded through
/// swift-metrics into a registry of this application's own (so several services in one process,
/// as in the tests, never share figures). Gauges of the connection pools and the breach job are
/// read when the metrics are asked for.
public final class ServiceMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// The pools to report, by name.
    let pools: [(name: String, pool: PostgresPool)]
    let breachJob: JobStatus
    /// The delivery job of the outbox, when this service runs one.
    let mailJob: MailJobStatus?
    /// What the pools' cumulative figures were at the last scrape, so their counters move by the difference.
    private let reported = Mutex<[String: Int]>([:])

    public init(pools: [(name: String, pool: PostgresPool)], breachJob: JobStatus, mailJob: MailJobStatus? = nil) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        self.factory = factory
        self.pools = pools
        self.breachJob = breachJob
        self.mailJob = mailJob
    }

    /// One request answered: its operation (the OpenAPI operation, `page` for the web view,
    /// `other` for the rest), status and how long it took; a replayed POST is counted as a replay.
    func request(operation: String, status: Int, duration: Duration, replayed: Bool) {
        Counter(label: "ap_http_requests_total", dimensions: [("operation", operation), ("status", String(status))], factory: factory)
            .increment()
        CoreMetrics.Timer(label: "ap_http_request_duration_seconds", dimensions: [("operation", operation)], factory: factory)
            .recordNanoseconds(
                duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        if replayed { Counter(label: "ap_idempotent_replays_total", dimensions: [("operation", operation)], factory: factory).increment() }
    }

    /// The metrics as Prometheus text.
    func text(now: Date = Date()) -> String {
        for (name, pool) in pools {
            let figures = pool.statistics
            for (state, value) in [("in_use", figures.inUse), ("idle", figures.idle), ("waiting", figures.waiting)] {
                Gauge(label: "ap_db_pool_connections", dimensions: [("pool", name), ("state", state)], factory: factory).record(value)
            }
            advance("ap_db_pool_connections_replaced_total", [("pool", name)], to: figures.replaced)
            for (sqlClass, count) in figures.errorsByClass {
                advance("ap_db_errors_total", [("pool", name), ("sqlstate_class", sqlClass)], to: count)
            }
        }
        let job = breachJob.figures
        if let last = job.lastSuccess {
            Gauge(label: "ap_breach_job_last_success_timestamp_seconds", factory: factory).record(last.timeIntervalSince1970)
            Gauge(label: "ap_breach_job_lag_seconds", factory: factory).record(now.timeIntervalSince(last))
        }
        advance("ap_breach_job_runs_total", [("result", "ok")], to: job.runs)
        advance("ap_breach_job_runs_total", [("result", "failed")], to: job.failures)
        if let mailJob {
            let mail = mailJob.job.figures
            if let last = mail.lastSuccess {
                Gauge(label: "ap_mail_job_last_success_timestamp_seconds", factory: factory).record(last.timeIntervalSince1970)
                Gauge(label: "ap_mail_job_lag_seconds", factory: factory).record(now.timeIntervalSince(last))
            }
            advance("ap_mail_job_runs_total", [("result", "ok")], to: mail.runs)
            advance("ap_mail_job_runs_total", [("result", "failed")], to: mail.failures)
            let messages = mailJob.messages
            advance("ap_mail_messages_total", [("result", "handed_over")], to: messages.handedOver)
            advance("ap_mail_messages_total", [("result", "attempt_failed")], to: messages.attemptsFailed)
        }
        return registry.emitToString()
    }

    /// Moves a counter up to a cumulative figure read from elsewhere.
    private func advance(_ label: String, _ dimensions: [(String, String)], to total: Int) {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        let before = reported.withLock { reported in
            defer { reported[key] = max(reported[key] ?? 0, total) }
            return reported[key] ?? 0
        }
        let counter = Counter(label: label, dimensions: dimensions, factory: factory)
        if total > before { counter.increment(by: total - before) } else if before == 0 { counter.increment(by: 0) }
    }
}

/// How the outbox's delivery job has run, and how many messages it has handed to the mail
/// transfer agent, or failed to, since the service started.
public final class MailJobStatus: Sendable {
    public struct Messages: Sendable {
        public var handedOver = 0
        public var attemptsFailed = 0
    }

    /// The job's passes.
    public let job = JobStatus()
    private let counts = Mutex(Messages())

    public init() {}

    public var messages: Messages { counts.withLock { $0 } }

    func recordMessage(sent: Bool) {
        counts.withLock { counts in
            if sent {
                counts.handedOver += 1
            } else {
                counts.attemptsFailed += 1
            }
        }
    }

    func succeeded() { job.succeeded() }
    func failed() { job.failed() }
}

/// How a background job has run: when it last succeeded, how many runs and failures.
public final class JobStatus: Sendable {
    public struct Figures: Sendable {
        public var lastSuccess: Date?
        public var runs = 0
        public var failures = 0
    }

    private let state = Mutex(Figures())

    public init() {}

    public var figures: Figures { state.withLock { $0 } }

    func succeeded(at date: Date = Date()) {
        state.withLock {
            $0.lastSuccess = date
            $0.runs += 1
        }
    }

    func failed() {
        state.withLock { $0.failures += 1 }
    }
}
