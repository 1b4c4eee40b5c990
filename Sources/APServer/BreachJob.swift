import ApprovedPremises
import Logging
import Postgres
import ServiceLifecycle

/// Opens curfew breaches as curfew windows start: every `interval`, each resident who is late
/// gets a breach (once per window). Stops on graceful shutdown.
struct BreachJob: Service {
    let pool: PostgresPool
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                do {
                    let opened = try await CurfewBreachStore(pool: pool).scan()
                    if opened > 0 {
                        logger.info("opened curfew breaches", metadata: ["count": "\(opened)"])
                    }
                } catch where Task.isCancelled {
                    return
                } catch {
                    logger.warning("the curfew breach job could not run; it will try again", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
