import AMQP
import EventKit
import Foundation
import Synchronization
import TestSupport
import Testing

/// An outbox in memory: claims unpublished rows nobody holds a lease on, oldest first.
final class InMemoryOutboxStore: OutboxStore {
    struct Row: Sendable {
        var event: DomainEvent
        var attempts = 0
        var claimedUntil: Date?
        var publishedAt: Date?
        var lastError: String?
    }

    private struct State {
        var rows: [Row] = []
        var claims = 0
        var failedMarks: [[UUID]] = []
    }

    private let state = Mutex(State())

    func append(_ event: DomainEvent) { state.withLock { $0.rows.append(Row(event: event)) } }

    var rows: [Row] { state.withLock { $0.rows } }
    var claimCount: Int { state.withLock { $0.claims } }
    var failedMarks: [[UUID]] { state.withLock { $0.failedMarks } }
    var publishedIDs: [UUID] { rows.filter { $0.publishedAt != nil }.map(\.event.id) }

    func claim(limit: Int, lease: Duration) async throws -> [OutboxEntry] {
        state.withLock { state in
            state.claims += 1
            let now = Date()
            var claimed: [OutboxEntry] = []
            for index in state.rows.indices where claimed.count < limit {
                let row = state.rows[index]
                guard row.publishedAt == nil, (row.claimedUntil ?? .distantPast) <= now else { continue }
                state.rows[index].claimedUntil = now.addingTimeInterval(lease.timeInterval)
                state.rows[index].attempts += 1
                claimed.append(OutboxEntry(event: row.event, attempts: row.attempts + 1))
            }
            return claimed
        }
    }

    func markPublished(_ ids: [UUID]) async throws {
        state.withLock { state in
            for index in state.rows.indices where ids.contains(state.rows[index].event.id) {
                state.rows[index].publishedAt = Date()
                state.rows[index].claimedUntil = nil
            }
        }
    }

    func markFailed(_ ids: [UUID], error: String, retryAfter: Duration) async throws {
        state.withLock { state in
            state.failedMarks.append(ids)
            for index in state.rows.indices where ids.contains(state.rows[index].event.id) {
                state.rows[index].claimedUntil = Date().addingTimeInterval(retryAfter.timeInterval)
                state.rows[index].lastError = error
            }
        }
    }

    func purgePublished(olderThan age: Duration) async throws -> Int {
        state.withLock { state in
            let cutoff = Date().addingTimeInterval(-age.timeInterval)
            let before = state.rows.count
            state.rows.removeAll { ($0.publishedAt ?? .distantFuture) < cutoff }
            return before - state.rows.count
        }
    }
}

/// A broker stand-in that records what it published and can be told to fail.
final class FakePublisher: EventPublishing {
    struct Down: Error, CustomStringConvertible {
        var description: String { "the broker is down" }
    }

    private let state = Mutex((published: [DomainEvent](), failing: false, unbound: Set<String>()))

    var published: [DomainEvent] { state.withLock { $0.published } }

    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    /// Events of `type` come back as the broker returns a mandatory message no queue took.
    func unbind(_ type: String) { state.withLock { _ = $0.unbound.insert(type) } }

    func publish(_ events: [DomainEvent]) async -> [Result<Void, any Error>] {
        state.withLock { state in
            if state.failing { return events.map { _ in .failure(Down()) } }
            return events.map { event in
                guard !state.unbound.contains(event.type) else {
                    return .failure(AMQPError(.unroutable, "no queue is bound for \(event.type)"))
                }
                state.published.append(event)
                return .success(())
            }
        }
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}

@Suite("Outbox relay")
struct OutboxRelayTests {
    let store = InMemoryOutboxStore()
    let publisher = FakePublisher()

    func relay(retryAfter: Duration = .zero, pollInterval: Duration = .milliseconds(500), batchSize: Int = 100) -> OutboxRelay {
        var settings = OutboxRelay.Settings()
        settings.retryAfter = retryAfter
        settings.pollInterval = pollInterval
        settings.batchSize = batchSize
        return OutboxRelay(store: store, publisher: publisher, settings: settings, logger: Fixtures.quietLogger)
    }

    func appendEvents(_ count: Int) -> [DomainEvent] {
        let start = Date()
        return (0..<count).map { index in
            let event = DomainEvent(
                type: "test.event", payload: #"{"index":\#(index)}"#, correlationID: "request-\(index)",
                occurredAt: start.addingTimeInterval(Double(index)))
            store.append(event)
            return event
        }
    }

    @Test func drainPublishesEveryPendingEventInOrderAndMarksThem() async {
        let events = appendEvents(5)
        let published = await relay().drain()
        #expect(published == 5)
        #expect(publisher.published == events)
        #expect(store.publishedIDs == events.map(\.id))
        #expect(store.failedMarks.isEmpty)
        // Nothing is due any more.
        #expect(await relay().drain() == 0)
        #expect(publisher.published.count == 5)
    }

    @Test func drainWorksThroughSeveralBatches() async {
        let events = appendEvents(7)
        #expect(await relay(batchSize: 3).drain() == 7)
        #expect(publisher.published == events)
        #expect(store.claimCount >= 3)
    }

    @Test func anEventNoQueueIsBoundToIsRetriedAWhileThenCountsAsPublished() async {
        let events = appendEvents(2)
        // Young: its consumer may not have declared its queue yet (a fresh install).
        let young = DomainEvent(type: "test.unbound", payload: "{}", correlationID: nil)
        // Older than the grace: nobody consumes it.
        let old = DomainEvent(type: "test.unbound", payload: "{}", correlationID: nil, occurredAt: Date().addingTimeInterval(-180))
        store.append(young)
        store.append(old)
        publisher.unbind("test.unbound")
        #expect(await relay().drain() == 3)
        #expect(publisher.published == events)
        #expect(Set(store.publishedIDs) == Set(events.map(\.id) + [old.id]))
        #expect(store.failedMarks == [[young.id]])
    }

    @Test func aFailedPublishIsMarkedFailedAndGoesOutOnALaterDrain() async {
        let events = appendEvents(3)
        let relay = relay(retryAfter: .zero)
        publisher.setFailing(true)
        #expect(await relay.drain() == 0)
        #expect(publisher.published.isEmpty)
        #expect(store.publishedIDs.isEmpty)
        #expect(store.failedMarks == [events.map(\.id)])
        #expect(store.rows.allSatisfy { $0.lastError == "the broker is down" })

        publisher.setFailing(false)
        #expect(await relay.drain() == 3)
        #expect(publisher.published == events)
        #expect(store.publishedIDs == events.map(\.id))
        #expect(store.rows.allSatisfy { $0.attempts == 2 })
    }

    @Test func aFailedEventWaitsForItsRetryDelay() async {
        _ = appendEvents(2)
        let relay = relay(retryAfter: .seconds(60))
        publisher.setFailing(true)
        #expect(await relay.drain() == 0)
        publisher.setFailing(false)
        // Still leased by the failure mark: not due yet.
        #expect(await relay.drain() == 0)
        #expect(publisher.published.isEmpty)
    }

    @Test func wakeMakesARunningRelayPublishPromptly() async throws {
        let relay = relay(pollInterval: .seconds(60))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await relay.run() }
            defer { group.cancelAll() }

            // Let the relay finish its first (empty) round and start waiting.
            let started = ContinuousClock.now
            while store.claimCount == 0 && ContinuousClock.now - started < .seconds(2) {
                try await Task.sleep(for: .milliseconds(5))
            }
            try #require(store.claimCount >= 1)

            let events = appendEvents(2)
            // Without a wake the next poll is a minute away.
            try await Task.sleep(for: .milliseconds(300))
            #expect(publisher.published.isEmpty)

            relay.wake()
            let woken = ContinuousClock.now
            while publisher.published.count < 2 && ContinuousClock.now - woken < .seconds(2) {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(publisher.published == events)
            #expect(store.publishedIDs == events.map(\.id))
        }
    }
}
