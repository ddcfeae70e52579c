import FoundationEssentials

/// One versioned schema change: `0003_add_orders.sql` is version 3 named `add_orders`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Reads `NNNN_name.sql` files from a folder, ordered by version; refuses other names and duplicate versions.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        return try load(
            files.map { MigrationFile(name: $0, sql: try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) })
    }

    /// The migrations of `NNNN_name.sql` files, ordered by version; refuses other names and duplicate versions.
    public static func load(_ files: [MigrationFile]) throws -> [Migration] {
        let migrations = try files.map { file -> Migration in
            let stem = file.name.hasSuffix(".sql") ? String(file.name.dropLast(4)) : file.name
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw MigrationError("migration file '\(file.name)' is not named NNNN_name.sql")
            }
            return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: file.sql)
        }
        return try ordered(migrations)
    }

    /// Sorts by version and rejects two migrations with the same version.
    public static func ordered(_ migrations: [Migration]) throws -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where previous.version == next.version {
            throw MigrationError("two migrations have version \(next.version): '\(previous.name)' and '\(next.name)'")
        }
        return sorted
    }
}

/// A migration file as a service embeds it (see the EmbedMigrations plugin): its name and text.
public struct MigrationFile: Sendable {
    public let name: String
    public let sql: String
    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

public struct MigrationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A store that can record and apply migrations; Postgres and MariaDB implement it.
public protocol MigrationStore: Sendable {
    /// Creates the bookkeeping table if needed, takes a lock so concurrent replicas apply
    /// each migration once, and runs `body` with the versions applied so far.
    /// `apply` runs one migration and records it, atomically where the server allows.
    func withMigrationLock<T: Sendable>(
        _ body: @escaping @Sendable (_ applied: [Int: String], _ apply: (Migration) throws -> Void) throws -> T
    ) async throws -> T
}

public enum Migrator {
    /// Applies the pending migrations in order and returns the versions it applied.
    /// An applied migration whose name changed is refused rather than silently skipped.
    @discardableResult
    public static func migrate(_ migrations: [Migration], on store: some MigrationStore) async throws -> [Int] {
        let ordered = try Migration.ordered(migrations)
        return try await store.withMigrationLock { applied, apply in
            var done: [Int] = []
            for migration in ordered {
                if let name = applied[migration.version] {
                    guard name == migration.name else {
                        throw MigrationError(
                            "migration \(migration.version) was applied as '\(name)' but is now named '\(migration.name)'")
                    }
                    continue
                }
                try apply(migration)
                done.append(migration.version)
            }
            return done
        }
    }
}
