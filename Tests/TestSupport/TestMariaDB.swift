import DatabaseKit
import Foundation
import MariaDB

/// The live MariaDB server: `TEST_MARIADB_URL=mariadb://user:password@host:port/database`.
/// Tests create uniquely named tables, or databases `<database>_<random>` (the test user may
/// create those), and remove only those.
public enum TestMariaDB {
    public static func configuration(poolSize: Int = 4, database: String? = nil) throws -> MariaDBConfiguration {
        var configuration = try MariaDBConfiguration(url: try TestServer.mariadb.require())
        configuration.poolSize = poolSize
        if let database { configuration.database = database }
        return configuration
    }

    /// Runs `body` with a fresh client and shuts it down afterwards, also when `body` throws.
    public static func withClient<T>(
        poolSize: Int = 4, database: String? = nil, _ body: (MariaDBClient) async throws -> T
    ) async throws -> T {
        let client = MariaDBClient(configuration: try configuration(poolSize: poolSize, database: database))
        return try await withCleanUp { try await body(client) } cleanUp: { await client.shutdown() }
    }

    /// Creates `CREATE TABLE <name> (<columns>)`, runs `body`, drops the table again.
    public static func withTable<T>(
        _ columns: String, on client: MariaDBClient, _ body: (String) async throws -> T
    ) async throws -> T {
        let table = uniqueTestName("t")
        try await client.execute("CREATE TABLE \(table) (\(columns))")
        return try await withCleanUp { try await body(table) } cleanUp: { try await client.execute("DROP TABLE \(table)") }
    }

    /// Creates a fresh database, applies `migrations` in it, runs `body` with a client of that
    /// database, then drops it (also when `body` throws).
    public static func withDatabase<T>(
        migrations: [Migration], poolSize: Int = 4, _ body: (MariaDBClient) async throws -> T
    ) async throws -> T {
        try await withEmptyDatabase { name, _ in
            try await withClient(poolSize: poolSize, database: name) { client in
                _ = try await Migrator.migrate(migrations, on: client)
                return try await body(client)
            }
        }
    }

    /// Creates a fresh database, runs `body` with its name and URL (a service given it applies
    /// its own migrations), then drops it.
    public static func withEmptyDatabase<T>(_ body: (_ name: String, _ url: String) async throws -> T) async throws -> T {
        try await withClient(poolSize: 1) { admin in
            let name = uniqueTestName(try configuration().database)
            try await admin.execute("CREATE DATABASE `\(name)`")
            return try await withCleanUp {
                guard var components = URLComponents(string: try TestServer.mariadb.require()) else {
                    throw TestFailure("TEST_MARIADB_URL is not a URL")
                }
                components.path = "/" + name
                guard let url = components.string else { throw TestFailure("cannot rebuild the test URL") }
                return try await body(name, url)
            } cleanUp: {
                try await admin.execute("DROP DATABASE `\(name)`")
            }
        }
    }
}
