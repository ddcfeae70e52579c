import Logging
import ServiceLifecycle

/// Cancels, every `interval`, the orders that waited longer than the payment timeout (their stock
/// comes back and `order.cancelled` goes out). Safe with several replicas: each order changes
/// under its row lock, and only while it is still pending.
public struct PaymentTimeoutSweeper: Service {
    let orders: OrderRegistry
    let interval: Duration
    let logger: Logger

    public init(orders: OrderRegistry, interval: Duration, logger: Logger) {
        self.orders = orders
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let cancelled = try await orders.cancelExpired()
                    if cancelled > 0 { logger.info("cancelled unpaid orders", metadata: ["orders": "\(cancelled)"]) }
                } catch {
                    logger.warning("cannot cancel unpaid orders", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
