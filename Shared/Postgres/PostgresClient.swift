import DatabaseKit
import PlatformTracing

/// An async Postgres client over libpq with a bounded pool of connections.
///
/// Each call leases a connection and runs on the pool's own threads. A connection that broke
/// (server restart, network) is discarded, and the next call opens a fresh one.
public final class PostgresClient: Sendable {
    public let configuration: PostgresConfiguration
    private let pool: ConnectionPool<PostgresConnection>
    private let spans: DatabaseSpans

    public init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        spans = DatabaseSpans(system: "postgresql", namespace: configuration.database)
        self.pool = ConnectionPool(configuration: configuration.pool) {
            try PostgresConnection(configuration: configuration)
        }
    }

    public func query(_ sql: String, _ parameters: [SQLValue] = []) async throws -> [SQLRow] {
        guard PlatformTracing.isEnabled else { return try await pool.withConnection { try $0.query(sql, parameters) } }
        return try await spans.statement(DatabaseSpans.operation(of: sql)) {
            try await pool.withConnection { try $0.query(sql, parameters) }
        }
    }

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) async throws -> UInt64 {
        guard PlatformTracing.isEnabled else { return try await pool.withConnection { try $0.execute(sql, parameters) } }
        return try await spans.statement(DatabaseSpans.operation(of: sql)) {
            try await pool.withConnection { try $0.execute(sql, parameters) }
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT` on one connection; any thrown error rolls back.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await spans.transaction { recording in
            try await pool.withConnection { connection in
                try connection.execute("BEGIN")
                connection.recordedOperations = recording ? [] : nil
                defer { connection.recordedOperations = nil }
                do {
                    let result = try body(connection)
                    let operations = connection.recordedOperations ?? []
                    connection.recordedOperations = nil
                    if connection.isInFailedTransaction {
                        // The body swallowed a failed statement; Postgres would turn COMMIT into a silent ROLLBACK.
                        throw DatabaseError(
                            .queryFailed, "a statement of the transaction failed, so it was rolled back", code: "25P02")
                    }
                    try connection.execute("COMMIT")
                    return (result, operations)
                } catch {
                    if connection.isUsable { _ = try? connection.execute("ROLLBACK") }
                    throw error
                }
            }
        }
    }

    /// A real round trip, for readiness checks.
    public func ping() async throws {
        _ = try await pool.withConnection { try $0.query("SELECT 1") }
    }

    public func shutdown() async {
        await pool.shutdown()
    }
}

extension PostgresClient: MigrationStore {
    /// Holds a session advisory lock while migrating, so concurrent replicas apply each
    /// migration once; every migration commits together with its bookkeeping row.
    public func withMigrationLock<T: Sendable>(
        _ body: @escaping @Sendable ([Int: String], (Migration) throws -> Void) throws -> T
    ) async throws -> T {
        try await pool.withConnection { connection in
            // Lock first: CREATE TABLE IF NOT EXISTS is not safe against a concurrent CREATE (23505 on pg_type).
            try connection.execute("SELECT pg_advisory_lock(hashtext('schema_migrations'))")
            defer { _ = try? connection.execute("SELECT pg_advisory_unlock(hashtext('schema_migrations'))") }
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """)
            let rows = try connection.query("SELECT version, name FROM schema_migrations")
            var applied: [Int: String] = [:]
            for row in rows { applied[try row.required("version", row.int)] = try row.required("name", row.string) }
            return try body(applied) { migration in
                try connection.execute("BEGIN")
                do {
                    try connection.executeScript(migration.sql)
                    try connection.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        [.int(Int64(migration.version)), .string(migration.name)])
                    try connection.execute("COMMIT")
                } catch {
                    if connection.isUsable { _ = try? connection.execute("ROLLBACK") }
                    throw error
                }
            }
        }
    }
}
