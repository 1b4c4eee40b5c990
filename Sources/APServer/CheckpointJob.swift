import ApprovedPremises
import Logging
import ServiceLifecycle

/// Signs the head of every chain that moved, every `interval` (and once at start), and appends
/// the checkpoints to the folder outside the database (and the witness folder), and queues the
/// day's digest for the witness address. Stops on graceful shutdown.
struct CheckpointJob: Service {
    let store: LogChainStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval) { [logger] error in
            logger.error("the logs could not be checkpointed; the job will try again", metadata: ["error": "\(LogSafe.describe(error))"])
        } _: { [store, logger] in
            let written = try await store.checkpoint()
            if written > 0 { logger.info("checkpointed the logs", metadata: ["chains": "\(written)"]) }
            if try await store.witnessDigest() { logger.info("queued the day's checkpoint digest for the witness") }
        }
    }
}
