import DatabaseKit
import EventKit
import FoundationEssentials
import Postgres

extension PostgresConnection {
    /// Writes `event` to the outbox; call inside the transaction that makes the change it reports.
    /// The relay publishes in `created_at` order, so it is the time of this insert: made under the
    /// lock of the entity that changed, it orders that entity's events by commit (the event's own
    /// `occurredAt` may have been read before the lock).
    public func appendToOutbox(_ event: DomainEvent) throws {
        try execute(
            "INSERT INTO outbox (id, event_type, payload, correlation_id, trace_context, created_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp())",
            [.uuid(event.id), .string(event.type), .string(event.payload), SQLValue(event.correlationID),
             SQLValue(event.traceContextText)])
    }

    /// Records a consumed event; false when it was recorded before (a redelivery to skip).
    /// Call inside the transaction that applies the event's effect.
    public func recordInInbox(eventID: UUID, eventType: String) throws -> Bool {
        try execute(
            "INSERT INTO inbox (event_id, event_type) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING",
            [.uuid(eventID), .string(eventType)]) == 1
    }
}
