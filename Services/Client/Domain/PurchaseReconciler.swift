import Foundation
import Logging
import ServiceLifecycle

/// Finishes, every `interval`, the purchases left between "asked the event service" and
/// "recorded the ticket" for longer than `age` (a crash, a lost answer, a client that gave up).
public struct PurchaseReconciler: Service {
    let sales: TicketSales
    let interval: Duration
    let age: Duration
    let logger: Logger

    public init(sales: TicketSales, interval: Duration, age: Duration, logger: Logger) {
        self.sales = sales
        self.interval = interval
        self.age = age
        self.logger = logger
    }

    public func run() async throws {
        // A graceful shutdown cancels the loop, its sleep included.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let settled = try await sales.reconcile(olderThan: age)
                    if settled > 0 { logger.info("purchases reconciled", metadata: ["count": "\(settled)"]) }
                } catch {
                    logger.warning("purchase reconciliation failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
