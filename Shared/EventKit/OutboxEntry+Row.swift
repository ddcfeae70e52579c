import DatabaseKit

extension OutboxEntry {
    /// The outbox columns a relay reads, in both dialects.
    public static let columns = "id, event_type, payload, correlation_id, created_at, attempts, trace_context"

    /// A row with `columns`.
    public init(row: SQLRow) throws {
        self.init(
            event: DomainEvent(
                id: try row.required("id", row.uuid), type: try row.required("event_type", row.string),
                payload: try row.required("payload", row.string), correlationID: try row.string("correlation_id"),
                occurredAt: try row.required("created_at", row.date),
                traceContext: DomainEvent.traceContext(text: try row.string("trace_context"))),
            attempts: try row.required("attempts", row.int))
    }
}
