import Logging

/// Retries a start-up step (connect, migrate) with capped exponential backoff until it
/// succeeds or `timeout` passes, so services may start before their store is up.
public func retryDuringStartup<T: Sendable>(
    _ step: String, timeout: Duration, logger: Logger, _ body: @Sendable () async throws -> T
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var delay = Duration.milliseconds(200)
    while true {
        do {
            return try await body()
        } catch {
            guard ContinuousClock.now + delay < deadline else {
                logger.critical("start-up step failed", metadata: ["step": "\(step)", "error": "\(error)"])
                throw error
            }
            logger.warning("start-up step failed, retrying", metadata: ["step": "\(step)", "error": "\(error)"])
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(3))
        }
    }
}
