import ServiceLifecycle

/// Runs `pass` every `interval` until the service shuts down gracefully: the background jobs'
/// loop (breaches, checkpoints, e-mail). A pass that fails is handed to `failed` (to count and
/// log it) and the next one comes at its time; one cut short by the shutdown ends the loop.
func repeatUntilShutdown(
    every interval: Duration, failed: @escaping @Sendable (any Error) -> Void, _ pass: @escaping @Sendable () async throws -> Void
) async {
    try? await cancelWhenGracefulShutdown {
        while true {
            do {
                try await pass()
            } catch  where Task.isCancelled {
                return
            } catch {
                failed(error)
            }
            try await Task.sleep(for: interval)
        }
    }
}
