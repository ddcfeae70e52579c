import DatabaseKit
import EventKit
import FoundationEssentials
import Postgres

/// The outbox table of `EventTables` on Postgres.
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
            RETURNING \(OutboxEntry.columns)
            """,
            [.int(Int64(limit)), .seconds(lease)])
        return try rows.map(OutboxEntry.init(row:)).sorted { $0.event.occurredAt < $1.event.occurredAt }
    }

    public func markPublished(_ ids: [UUID]) async throws {
        try await client.execute(
            "UPDATE outbox SET published_at = now(), claimed_until = NULL, last_error = NULL WHERE id = ANY($1::uuid[])",
            [.string(Self.array(ids))])
    }

    public func markFailed(_ ids: [UUID], error: String, retryAfter: Duration) async throws {
        try await client.execute(
            "UPDATE outbox SET claimed_until = now() + make_interval(secs => $3), last_error = $2 WHERE id = ANY($1::uuid[])",
            [.string(Self.array(ids)), .string(String(error.prefix(500))), .seconds(retryAfter)])
    }

    public func purgePublished(olderThan age: Duration) async throws -> Int {
        Int(try await client.execute("DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)", [.seconds(age)]))
    }

    private static func array(_ ids: [UUID]) -> String {
        "{" + ids.map(\.uuidString).joined(separator: ",") + "}"
    }
}
