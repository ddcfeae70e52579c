import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Where the facts come from again: product's order history.
public protocol SalesHistory: Sendable {
    /// Every order that was paid, in the order of payment; `refunded` when its money went back.
    func forEachSale(_ body: @escaping @Sendable (Sale, _ refunded: Bool) async throws -> Void) async throws
}

/// Rebuilds every fact from the order history, one rebuild at a time, in the background: the
/// facts are forgotten (in one transaction) and every sale of the history recorded again. Events
/// that arrive meanwhile are not lost or counted twice: recording and refunding are idempotent
/// per order and commute, whichever of the event and the history brings an order first.
public final class SalesRebuild: Service, Sendable {
    private let store: any SalesStore
    private let history: any SalesHistory
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let requests: AsyncStream<Void>
    private let requested: AsyncStream<Void>.Continuation
    private let running = Mutex(false)

    public init(store: any SalesStore, history: any SalesHistory, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.history = history
        self.logger = logger
        self.now = now
        (requests, requested) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a rebuild; false when one is already under way.
    public func start() -> Bool {
        guard running.withLock({ running in defer { running = true }; return !running }) else { return false }
        requested.yield()
        return true
    }

    public var isRunning: Bool { running.withLock { $0 } }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            for await _ in requests {
                await rebuild()
                running.withLock { $0 = false }
            }
        }
    }

    /// One rebuild; returns how many sales it recorded (for tests).
    @discardableResult
    public func rebuild() async -> Int {
        let counted = Counter()
        do {
            try await store.reset()
            try await history.forEachSale { [store, now] sale, refunded in
                try await store.record(sale, cause: nil)
                if refunded { try await store.refund(order: sale.orderID, at: now(), cause: nil) }
                counted.increment()
            }
            logger.info("rebuilt the sales facts", metadata: ["orders": "\(counted.value)"])
        } catch {
            logger.error("rebuilding the sales facts failed; ask again", metadata: ["error": "\(error)", "orders": "\(counted.value)"])
        }
        return counted.value
    }
}

private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
