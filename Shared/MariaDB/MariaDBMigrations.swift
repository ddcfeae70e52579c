import DatabaseKit

/// Versioned migrations for MariaDB.
///
/// The bookkeeping table `schema_migrations` is created if missing; a named lock
/// (`GET_LOCK('schema_migrations', 30)`, held by the one session that migrates) keeps concurrent
/// replicas from applying a migration twice. Each migration runs inside START TRANSACTION …
/// COMMIT together with its bookkeeping row, but MariaDB DDL commits implicitly: a migration
/// whose DDL fails halfway leaves its earlier statements applied and is not recorded, so write
/// one DDL change per migration, or make the statements idempotent (`IF NOT EXISTS`).
/// Nothing is ever dropped here.
extension MariaDBClient: MigrationStore {
    static let migrationLock = "schema_migrations"
    static let migrationLockTimeout: Int64 = 30

    public func withMigrationLock<T: Sendable>(
        _ body: @escaping @Sendable (_ applied: [Int: String], _ apply: (Migration) throws -> Void) throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            try connection.acquireLock(Self.migrationLock, timeout: Self.migrationLockTimeout)
            defer { connection.releaseLock(Self.migrationLock) }
            try connection.command(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INT PRIMARY KEY,
                    name VARCHAR(255) NOT NULL,
                    applied_at DATETIME(6) NOT NULL
                )
                """)
            var applied: [Int: String] = [:]
            for row in try connection.query("SELECT version, name FROM schema_migrations") {
                applied[try row.required("version", row.int)] = try row.required("name", row.string)
            }
            return try body(applied) { migration in try connection.apply(migration) }
        }
    }
}

extension MariaDBConnection {
    func acquireLock(_ name: String, timeout: Int64) throws {
        let rows = try query("SELECT GET_LOCK(?, ?) AS acquired", [.string(name), .int(timeout)])
        switch try rows.first?.int("acquired") {
        case 1: return
        case 0: throw DatabaseError(.queryFailed, "timed out after \(timeout) s waiting for the lock '\(name)'")
        default: throw DatabaseError(.queryFailed, "GET_LOCK('\(name)') failed")
        }
    }

    /// Best effort: a session that broke has lost its locks anyway.
    func releaseLock(_ name: String) {
        guard isUsable else { return }
        _ = try? query("SELECT RELEASE_LOCK(?)", [.string(name)])
    }

    func apply(_ migration: Migration) throws {
        do {
            try inTransaction {
                try runScript(migration.sql)
                try execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(6))",
                    [.int(Int64(migration.version)), .string(migration.name)])
            }
        } catch let error as DatabaseError {
            throw DatabaseError(
                error.kind, "migration \(migration.version) '\(migration.name)': \(error.message)", code: error.code)
        }
    }
}
