import ApprovedPremises
import Logging
import Postgres
import ServiceLifecycle

/// Opens curfew breaches as curfew windows start: every `interval`, each resident who is late
/// gets a breach (once per window). Stops on graceful shutdown.
struct BreachJob: Service {
    /// One look: opens a breach for each resident late now, and says how many it opened.
    @discardableResult
    func pass() async throws -> Int {
        let opened = try await CurfewBreachStore(pool: pool).scan(now: clock())
        status.succeeded()
        if opened > 0 {
            logger.info("opened curfew breaches", metadata: ["count": "\(opened)"])
        }
        return opened
    }

    let pool: PostgresPool
    let interval: Duration
    /// When it last ran, for `/metrics`.
    let status: JobStatus
    /// What it takes for now (`ServerConfiguration.clock`).
    let clock: ServiceClock
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval) { [status, logger] error in
            status.failed()
            logger.warning("the curfew breach job could not run; it will try again", metadata: ["error": "\(LogSafe.describe(error))"])
        } _: {
            try await pass()
        }
    }
}
