import ApprovedPremises
import Logging
import Postgres
import ServiceLifecycle

/// Opens curfew breaches as curfew windows start: every `interval`, each resident who is late
/// gets a breach (once per window). Stops on graceful shutdown.
struct BreachJob: Service {
    let pool: PostgresPool
    let interval: Duration
    /// When it last ran, for `/metrics`.
    let status: JobStatus
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                do {
                    let opened = try await CurfewBreachStore(pool: pool).scan()
                    status.succeeded()
                    if opened > 0 {
                        logger.info("opened curfew breaches", metadata: ["count": "\(opened)"])
                    }
                } catch where Task.isCancelled {
                    return
                } catch {
                    status.failed()
                    logger.warning("the curfew breach job could not run; it will try again", metadata: ["error": "\(LogSafe.describe(error))"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
