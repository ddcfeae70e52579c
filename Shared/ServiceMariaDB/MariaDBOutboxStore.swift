import DatabaseKit
import EventKit
import FoundationEssentials
import MariaDB

/// The outbox table of `EventTables` on MariaDB. MariaDB has no `UPDATE … RETURNING`, so a claim
/// locks its rows with `FOR UPDATE SKIP LOCKED` (replicas skip each other's), leases and reads them
/// in one transaction.
public struct MariaDBOutboxStore: OutboxStore {
    private let client: MariaDBClient

    public init(client: MariaDBClient) { self.client = client }

    public func claim(limit: Int, lease: Duration) async throws -> [OutboxEntry] {
        try await client.transaction { connection in
            let ids = try connection.query(
                """
                SELECT id FROM outbox
                WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < NOW(6))
                ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED
                """,
                [.int(Int64(limit))]
            ).map { try $0.required("id", $0.uuid) }
            guard !ids.isEmpty else { return [] }
            try connection.execute(
                """
                UPDATE outbox SET claimed_until = NOW(6) + INTERVAL ? MICROSECOND, attempts = attempts + 1
                WHERE id IN (\(Self.placeholders(ids.count)))
                """,
                [Self.microseconds(lease)] + ids.map(SQLValue.uuid))
            return try connection.query(
                "SELECT \(OutboxEntry.columns) FROM outbox WHERE id IN (\(Self.placeholders(ids.count))) ORDER BY created_at",
                ids.map(SQLValue.uuid)
            ).map(OutboxEntry.init(row:))
        }
    }

    public func markPublished(_ ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await client.execute(
            """
            UPDATE outbox SET published_at = NOW(6), claimed_until = NULL, last_error = NULL
            WHERE id IN (\(Self.placeholders(ids.count)))
            """,
            ids.map(SQLValue.uuid))
    }

    public func markFailed(_ ids: [UUID], error: String, retryAfter: Duration) async throws {
        guard !ids.isEmpty else { return }
        try await client.execute(
            """
            UPDATE outbox SET claimed_until = NOW(6) + INTERVAL ? MICROSECOND, last_error = ?
            WHERE id IN (\(Self.placeholders(ids.count)))
            """,
            [Self.microseconds(retryAfter), .string(String(error.prefix(500)))] + ids.map(SQLValue.uuid))
    }

    public func purgePublished(olderThan age: Duration) async throws -> Int {
        Int(try await client.execute("DELETE FROM outbox WHERE published_at < NOW(6) - INTERVAL ? MICROSECOND", [Self.microseconds(age)]))
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    private static func microseconds(_ duration: Duration) -> SQLValue {
        let parts = duration.components
        return .int(parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000)
    }
}
