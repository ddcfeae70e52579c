import AMQP
import FoundationEssentials
import Logging
import ServiceLifecycle
import Synchronization

/// Publishes outbox rows with publisher confirms: at once when `wake()` says a transaction with
/// events committed, and on a short poll as a fallback (rows left by a crash, a broker outage or
/// another replica). A row is marked published only after the broker confirmed it, so an event
/// may go out twice but is never lost; consumers deduplicate by event id. An event the broker
/// routed to no queue has no consumer (yet): it counts as published, as queues are durable and
/// bound when their service first starts; its type is logged once.
public final class OutboxRelay: Service, Sendable {
    public struct Settings: Sendable {
        public var pollInterval: Duration = .milliseconds(500)
        public var batchSize = 100
        public var lease: Duration = .seconds(30)
        public var retryAfter: Duration = .seconds(2)
        public var retention: Duration = .seconds(24 * 3600)
        public var purgeInterval: Duration = .seconds(600)
        public init() {}
    }

    private let store: any OutboxStore
    private let publisher: any EventPublishing
    private let settings: Settings
    private let logger: Logger
    private let signal = WakeSignal()
    private let unroutedTypes = Mutex<Set<String>>([])

    public init(store: any OutboxStore, publisher: any EventPublishing, settings: Settings = .init(), logger: Logger) {
        self.store = store
        self.publisher = publisher
        self.settings = settings
        var logger = logger
        logger[metadataKey: "component"] = "outbox-relay"
        self.logger = logger
    }

    /// Call after committing a transaction that wrote events.
    public func wake() { signal.signal() }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            var lastPurge = ContinuousClock.now
            while !Task.isCancelled {
                await drain()
                if ContinuousClock.now - lastPurge > settings.purgeInterval {
                    lastPurge = .now
                    await purge()
                }
                await signal.wait(timeout: settings.pollInterval)
            }
        }
    }

    /// Publishes everything that is due, batch by batch; stops early when the broker fails.
    /// Returns how many events were published.
    @discardableResult
    public func drain() async -> Int {
        var published = 0
        while !Task.isCancelled {
            let batch: [OutboxEntry]
            do {
                batch = try await store.claim(limit: settings.batchSize, lease: settings.lease)
            } catch {
                logger.warning("cannot read the outbox", metadata: ["error": "\(error)"])
                return published
            }
            guard !batch.isEmpty else { return published }
            let (events, spans) = EventSpans.publishing(batch.map(\.event))
            let results = await publisher.publish(events)
            spans.end(with: results)
            var sent: [UUID] = []
            var failed: [UUID] = []
            var firstError: (any Error)?
            for (entry, result) in zip(batch, results) {
                switch result {
                case .success: sent.append(entry.event.id)
                case .failure(let error as AMQPError) where error.kind == .unroutable:
                    // On a fresh install a consumer may not have declared its queue yet: an event
                    // nobody routes is retried for two minutes before it counts as published.
                    if Date().timeIntervalSince(entry.event.occurredAt) < 120 {
                        failed.append(entry.event.id)
                        firstError = firstError ?? error
                    } else {
                        sent.append(entry.event.id)
                        noteUnrouted(entry.event.type)
                    }
                case .failure(let error):
                    failed.append(entry.event.id)
                    firstError = firstError ?? error
                }
            }
            do {
                if !sent.isEmpty { try await store.markPublished(sent) }
                if let firstError {
                    try await store.markFailed(failed, error: "\(firstError)", retryAfter: settings.retryAfter)
                }
            } catch {
                // The leases expire and the rows go out again; consumers deduplicate.
                logger.warning("cannot record outbox progress", metadata: ["error": "\(error)"])
                return published + sent.count
            }
            published += sent.count
            if let firstError {
                logger.warning(
                    "publishing events failed; will retry",
                    metadata: ["failed": "\(failed.count)", "error": "\(firstError)"])
                return published
            }
            if batch.count < settings.batchSize { return published }
        }
        return published
    }

    private func noteUnrouted(_ type: String) {
        guard unroutedTypes.withLock({ $0.insert(type).inserted }) else { return }
        logger.notice("no queue is bound to this event type: its events have no consumer", metadata: ["type": "\(type)"])
    }

    private func purge() async {
        do {
            let removed = try await store.purgePublished(olderThan: settings.retention)
            if removed > 0 { logger.info("purged published outbox rows", metadata: ["rows": "\(removed)"]) }
        } catch {
            logger.warning("cannot purge the outbox", metadata: ["error": "\(error)"])
        }
    }
}

/// Wakes one waiter early; a signal sent while nobody waits is kept for the next wait.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns on a signal, after `timeout`, or on cancellation.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForSignal() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
