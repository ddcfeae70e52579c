import DatabaseKit
import PlatformTracing

/// The service-facing MariaDB client: a bounded pool of sessions whose blocking calls run on the
/// pool's own threads, never on the cooperative pool or an event loop.
public final class MariaDBClient: Sendable {
    public let configuration: MariaDBConfiguration
    private let pool: ConnectionPool<MariaDBConnection>
    private let spans: DatabaseSpans

    public init(configuration: MariaDBConfiguration) {
        self.configuration = configuration
        spans = DatabaseSpans(system: "mariadb", namespace: configuration.database)
        self.pool = ConnectionPool(
            configuration: ConnectionPoolConfiguration(
                name: configuration.poolName, maxConnections: configuration.poolSize,
                acquireTimeout: configuration.acquireTimeout)
        ) {
            try MariaDBConnection(configuration: configuration)
        }
    }

    public func query(_ sql: String, _ parameters: [SQLValue] = []) async throws -> [SQLRow] {
        guard PlatformTracing.isEnabled else { return try await withConnection { try $0.query(sql, parameters) } }
        return try await spans.statement(DatabaseSpans.operation(of: sql)) { try await withConnection { try $0.query(sql, parameters) } }
    }

    /// Returns the affected rows (matched rows for UPDATE, as with Postgres).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) async throws -> UInt64 {
        guard PlatformTracing.isEnabled else { return try await withConnection { try $0.execute(sql, parameters) } }
        return try await spans.statement(DatabaseSpans.operation(of: sql)) { try await withConnection { try $0.execute(sql, parameters) } }
    }

    /// Runs `body` on one connection between START TRANSACTION and COMMIT; ROLLBACK when it throws.
    ///
    /// MariaDB commits implicitly around DDL (CREATE, ALTER, DROP, …): DDL in `body` is not
    /// rolled back, and it commits whatever the transaction did before it.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (MariaDBConnection) throws -> T) async throws -> T {
        try await spans.transaction { recording in
            try await withConnection { connection in
                connection.recordedOperations = recording ? [] : nil
                defer { connection.recordedOperations = nil }
                return try connection.inTransaction { (try body(connection), connection.recordedOperations ?? []) }
            }
        }
    }

    /// `transaction`, run again (at most `retries` times) when the server chose it as a deadlock
    /// victim (1213) and rolled it back: for transactions that lock rows in an order the server
    /// cannot always keep (index ranges, gap locks).
    public func transaction<T: Sendable>(
        retryingDeadlocks retries: Int, _ body: @escaping @Sendable (MariaDBConnection) throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await transaction(body)
            } catch let error as DatabaseError where error.code == "1213" && attempt < retries {
                attempt += 1
            }
        }
    }

    /// A real round trip to the server, for readiness checks. A pooled session the server
    /// dropped is replaced and the ping retried, so only an unreachable server fails.
    public func ping() async throws {
        var attempts = 0
        while true {
            do {
                return try await withConnection { try $0.ping() }
            } catch let error as DatabaseError where error.kind == .connectionLost && attempts < configuration.poolSize {
                attempts += 1
            }
        }
    }

    /// Closes idle connections and stops the pool's threads; later calls fail with `.poolClosed`.
    public func shutdown() async {
        await pool.shutdown()
    }

    /// Leases a connection, replacing it first if the server closed it while idle.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (MariaDBConnection) throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            try connection.prepareForLease()
            return try body(connection)
        }
    }
}
