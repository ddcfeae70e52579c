import DatabaseKit
import Foundation
import Postgres

/// The live Postgres server: `TEST_POSTGRES_URL=postgresql://user:password@host:port/database`.
/// Tests create uniquely named tables and schemas and remove only those.
public enum TestPostgres {
    public static func configuration(
        maxConnections: Int = 4, url: String? = nil, applicationName: String = "platform-tests"
    ) throws -> PostgresConfiguration {
        try PostgresConfiguration(
            url: try url ?? TestServer.postgres.require(), applicationName: applicationName, maxConnections: maxConnections)
    }

    /// Runs `body` with a fresh client and shuts it down afterwards, also when `body` throws.
    /// `applicationName` tells the test's sessions apart in `pg_stat_activity`.
    public static func withClient<T>(
        maxConnections: Int = 4, url: String? = nil, applicationName: String = "platform-tests",
        _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(
            configuration: try configuration(maxConnections: maxConnections, url: url, applicationName: applicationName))
        return try await withCleanUp { try await body(client) } cleanUp: { await client.shutdown() }
    }

    /// Creates `CREATE TABLE <name> (<columns>)`, runs `body`, drops the table again.
    public static func withTable<T>(
        _ columns: String, on client: PostgresClient, _ body: (String) async throws -> T
    ) async throws -> T {
        let table = uniqueTestName("t")
        try await client.execute("CREATE TABLE \(table) (\(columns))")
        return try await withCleanUp { try await body(table) } cleanUp: {
            try await client.execute("DROP TABLE \(table) CASCADE")
        }
    }

    /// Creates a fresh schema, applies `migrations` in it, runs `body` with a client whose
    /// `search_path` is that schema, then drops the schema (also when `body` throws).
    public static func withSchema<T>(
        migrations: [Migration], maxConnections: Int = 4, applicationName: String = "platform-tests",
        _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        try await withEmptySchema { url in
            try await withClient(maxConnections: maxConnections, url: url, applicationName: applicationName) { client in
                _ = try await Migrator.migrate(migrations, on: client)
                return try await body(client)
            }
        }
    }

    /// Creates a fresh schema, runs `body` with a URL whose `search_path` is that schema (a
    /// service given it applies its own migrations there), then drops the schema.
    public static func withEmptySchema<T>(_ body: (String) async throws -> T) async throws -> T {
        let schema = uniqueTestName("s")
        return try await withClient(maxConnections: 1) { admin in
            try await admin.execute("CREATE SCHEMA \(schema)")
            return try await withCleanUp { try await body(try url(searchPath: schema)) } cleanUp: {
                try await admin.execute("DROP SCHEMA \(schema) CASCADE")
            }
        }
    }

    /// The test URL with its password replaced.
    public static func url(password: String) throws -> String {
        var components = try components()
        components.password = password
        return try string(components)
    }

    /// The test URL with `search_path` set to `schema`.
    public static func url(searchPath schema: String) throws -> String {
        var components = try components()
        // libpq refuses a second raw '=' in a query parameter, so that one is percent-encoded.
        let option = URLQueryItem(name: "options", value: "-csearch_path%3D\(schema)")
        components.percentEncodedQueryItems = (components.percentEncodedQueryItems ?? []) + [option]
        return try string(components)
    }

    /// The server process id behind the connection a call lands on.
    public static func backendPID(of client: PostgresClient) async throws -> Int {
        guard let row = try await client.query("SELECT pg_backend_pid() AS pid").first else { throw TestFailure("no pid") }
        return try row.required("pid", row.int)
    }

    private static func components() throws -> URLComponents {
        guard let components = URLComponents(string: try TestServer.postgres.require()) else {
            throw TestFailure("TEST_POSTGRES_URL is not a URL")
        }
        return components
    }

    private static func string(_ components: URLComponents) throws -> String {
        guard let string = components.string else { throw TestFailure("cannot rebuild the test URL") }
        return string
    }
}

/// A precondition of a test that did not hold.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
