import ApprovedPremises
import Logging
import ServiceLifecycle

/// Erases the personal data of everyone past the retention schedule, once at start and then
/// every `interval` (a day). Stops on graceful shutdown. The erasure record and the audit log
/// name the job as who ran it.
struct RetentionJob: Service {
    let store: RetentionStore
    let schedule: RetentionSchedule
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval) { [logger] error in
            logger.error(
                "the retention schedule could not be applied; the job will try again", metadata: ["error": "\(LogSafe.describe(error))"])
        } _: { [store, schedule, logger] in
            let erased = try await store.apply(schedule, erasedBy: "the service's daily retention job")
            if !erased.isEmpty {
                logger.info(
                    "erased the personal data of people past the retention schedule",
                    metadata: ["people": "\(erased.count)", "records": "\(erased.map(\.total).reduce(0, +))"])
            }
        }
    }
}
