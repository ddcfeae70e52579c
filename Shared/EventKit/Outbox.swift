import FoundationEssentials

/// An outbox row waiting to be published.
public struct OutboxEntry: Sendable, Equatable {
    public let event: DomainEvent
    public let attempts: Int

    public init(event: DomainEvent, attempts: Int) {
        self.event = event
        self.attempts = attempts
    }
}

/// The storage side of the transactional outbox. Rows are written by the service in the same
/// transaction as its business change; the relay claims, publishes and marks them.
public protocol OutboxStore: Sendable {
    /// Leases up to `limit` unpublished rows, oldest first, for `lease`; rows leased by another
    /// relay are skipped, so replicas share the work.
    func claim(limit: Int, lease: Duration) async throws -> [OutboxEntry]
    func markPublished(_ ids: [UUID]) async throws
    /// Gives the rows back after `retryAfter`, recording why publishing failed.
    func markFailed(_ ids: [UUID], error: String, retryAfter: Duration) async throws
    /// Deletes rows published longer ago than `age` (their payload may hold a password hash).
    func purgePublished(olderThan age: Duration) async throws -> Int
}

/// The broker side: `AMQPPublisher` in production, a fake in tests.
public protocol EventPublishing: Sendable {
    /// Publishes with confirms; one result per event, in order.
    func publish(_ events: [DomainEvent]) async -> [Result<Void, any Error>]
}
