import DatabaseKit
import Foundation
import Postgres

/// The outbox table of EventTables on Postgres.
public struct PostgresOutboxStore: OutboxStore {
    private let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    public func claim(limit: Int, lease: Duration) async throws -> [OutboxEntry] {
        let rows = try await client.query(
            """
            UPDATE outbox SET claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM outbox
                WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
                ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
            RETURNING id, event_type, payload, correlation_id, created_at, attempts
            """,
            [.int(Int64(limit)), .double(lease.seconds)])
        return try rows.map { row in
            OutboxEntry(
                event: DomainEvent(
                    id: try row.required("id", row.uuid), type: try row.required("event_type", row.string),
                    payload: try row.required("payload", row.string), correlationID: try row.string("correlation_id"),
                    occurredAt: try row.required("created_at", row.date)),
                attempts: try row.required("attempts", row.int))
        }
        .sorted { $0.event.occurredAt < $1.event.occurredAt }
    }

    public func markPublished(_ ids: [UUID]) async throws {
        try await client.execute(
            "UPDATE outbox SET published_at = now(), claimed_until = NULL, last_error = NULL WHERE id = ANY($1::uuid[])",
            [.string(Self.array(ids))])
    }

    public func markFailed(_ ids: [UUID], error: String, retryAfter: Duration) async throws {
        try await client.execute(
            "UPDATE outbox SET claimed_until = now() + make_interval(secs => $3), last_error = $2 WHERE id = ANY($1::uuid[])",
            [.string(Self.array(ids)), .string(String(error.prefix(500))), .double(retryAfter.seconds)])
    }

    public func purgePublished(olderThan age: Duration) async throws -> Int {
        Int(
            try await client.execute(
                "DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)", [.double(age.seconds)]))
    }

    private static func array(_ ids: [UUID]) -> String {
        "{" + ids.map(\.uuidString).joined(separator: ",") + "}"
    }
}

extension PostgresConnection {
    /// Writes `event` to the outbox; call inside the transaction that makes the change it reports.
    public func appendToOutbox(_ event: DomainEvent) throws {
        try execute(
            "INSERT INTO outbox (id, event_type, payload, correlation_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            [.uuid(event.id), .string(event.type), .string(event.payload), SQLValue(event.correlationID), .date(event.occurredAt)])
    }

    /// Records a consumed event id; false when it was recorded before (a redelivery to skip).
    /// Call inside the transaction that applies the event's effect.
    public func recordInInbox(eventID: UUID, eventType: String) throws -> Bool {
        try execute(
            "INSERT INTO inbox (event_id, event_type) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING",
            [.uuid(eventID), .string(eventType)]) == 1
    }
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
