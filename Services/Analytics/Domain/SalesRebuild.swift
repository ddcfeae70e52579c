import FoundationEssentials
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
    private let state = Mutex(Status())

    /// Whether a rebuild runs, and how the last one went.
    public struct Status: Sendable, Equatable {
        public var running = false
        public var lastStartedAt: Date?
        public var lastFinishedAt: Date?
        public var lastOrders = 0
        /// Nil when the last rebuild succeeded.
        public var lastError: String?
    }

    public init(store: any SalesStore, history: any SalesHistory, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.history = history
        self.logger = logger
        self.now = now
        (requests, requested) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a rebuild; false when one is already under way.
    public func start() -> Bool {
        let started = state.withLock { state -> Bool in
            guard !state.running else { return false }
            state.running = true
            return true
        }
        if started { requested.yield() }
        return started
    }

    public var status: Status { state.withLock { $0 } }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            for await _ in requests { await rebuild() }
        }
    }

    /// One rebuild (`start` asks the running service for one); returns how many sales it recorded.
    @discardableResult
    public func rebuild() async -> Int {
        let time = now()
        state.withLock { $0 = Status(running: true, lastStartedAt: time) }
        let error: (any Error)?
        do {
            try await store.reset()
            try await history.forEachSale { [self] sale, refunded in
                try await store.record(sale, cause: nil)
                if refunded { try await store.refund(order: sale.orderID, at: now(), cause: nil) }
                state.withLock { $0.lastOrders += 1 }
            }
            error = nil
        } catch let failure {
            error = failure
        }
        let finished = state.withLock { state in
            state.running = false
            state.lastFinishedAt = now()
            state.lastError = error.map { "\($0)" }
            return state
        }
        if let error {
            logger.error("rebuilding the sales facts failed; ask again", metadata: ["error": "\(error)", "orders": "\(finished.lastOrders)"])
        } else {
            logger.info("rebuilt the sales facts", metadata: ["orders": "\(finished.lastOrders)"])
        }
        return finished.lastOrders
    }
}
