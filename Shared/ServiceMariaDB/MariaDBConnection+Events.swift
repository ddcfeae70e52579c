import DatabaseKit
import EventKit
import FoundationEssentials
import MariaDB

extension MariaDBConnection {
    /// Writes `event` to the outbox; call inside the transaction that makes the change it reports.
    /// The relay publishes in `created_at` order, so it is the time of this insert: made under the
    /// lock of the entity that changed, it orders that entity's events by commit (the event's own
    /// `occurredAt` may have been read before the lock).
    public func appendToOutbox(_ event: DomainEvent) throws {
        try execute(
            "INSERT INTO outbox (id, event_type, payload, correlation_id, trace_context, created_at) VALUES (?, ?, ?, ?, ?, SYSDATE(6))",
            [.uuid(event.id), .string(event.type), .string(event.payload), SQLValue(event.correlationID),
             SQLValue(event.traceContextText)])
    }

    /// Records a consumed event; false when it was recorded before (a redelivery to skip).
    /// Call inside the transaction that applies the event's effect.
    public func recordInInbox(eventID: UUID, eventType: String) throws -> Bool {
        // IGNORE only turns the duplicate key into "0 rows"; the id and type always fit their columns.
        try execute("INSERT IGNORE INTO inbox (event_id, event_type) VALUES (?, ?)", [.uuid(eventID), .string(eventType)]) == 1
    }
}
