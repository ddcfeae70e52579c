import Logging
import ServiceLifecycle

/// A background service that runs one pass of some work every `interval` until shutdown: a
/// failed pass is logged and the next one tries again; a graceful shutdown cancels the loop at
/// once, its sleep included. `pass` returns how many things it did (logged when not zero).
public struct PeriodicJob: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let pass: @Sendable () async throws -> Int

    public init(_ name: String, every interval: Duration, logger: Logger, pass: @escaping @Sendable () async throws -> Int) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.pass = pass
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let done = try await pass()
                    if done > 0 { logger.info("\(name)", metadata: ["count": "\(done)"]) }
                } catch {
                    logger.warning("\(name) failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
