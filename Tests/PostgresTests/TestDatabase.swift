import DatabaseKit
import Foundation
import Postgres
import Testing

/// The live server the tests use: `TEST_POSTGRES_URL=postgresql://user:password@host:port/database`.
/// Tests create uniquely named tables (and schemas) and remove only those.
enum TestDatabase {
    static let url = ProcessInfo.processInfo.environment["TEST_POSTGRES_URL"]
    static let isConfigured = url != nil
    static let skipReason: Comment = "TEST_POSTGRES_URL is not set (postgresql://user:password@host:port/database)"

    static func configuration(maxConnections: Int = 4, url: String? = nil) throws -> PostgresConfiguration {
        try PostgresConfiguration(url: url ?? self.url ?? "", applicationName: "postgres-tests", maxConnections: maxConnections)
    }

    /// Runs `body` with a fresh client and shuts it down afterwards, also when `body` throws.
    static func withClient<T>(
        maxConnections: Int = 4, url: String? = nil, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: try configuration(maxConnections: maxConnections, url: url))
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates `CREATE TABLE <name> (<columns>)`, runs `body`, drops the table again.
    static func withTable<T>(
        _ columns: String, on client: PostgresClient, _ body: (String) async throws -> T
    ) async throws -> T {
        let table = uniqueName("t")
        try await client.execute("CREATE TABLE \(table) (\(columns))")
        do {
            let result = try await body(table)
            try await client.execute("DROP TABLE \(table) CASCADE")
            return result
        } catch {
            _ = try? await client.execute("DROP TABLE \(table) CASCADE")
            throw error
        }
    }

    /// The test URL with its password replaced, or with `search_path` set to `schema`.
    static func url(password: String) throws -> String {
        var components = try #require(URLComponents(string: url ?? ""))
        components.password = password
        return try #require(components.string)
    }

    static func url(searchPath schema: String) throws -> String {
        var components = try #require(URLComponents(string: url ?? ""))
        // libpq refuses a second raw '=' in a query parameter, so that one is percent-encoded.
        let option = URLQueryItem(name: "options", value: "-csearch_path%3D\(schema)")
        components.percentEncodedQueryItems = (components.percentEncodedQueryItems ?? []) + [option]
        return try #require(components.string)
    }

    /// The server process id behind the connection a call lands on.
    static func backendPID(of client: PostgresClient) async throws -> Int {
        let row = try #require(try await client.query("SELECT pg_backend_pid() AS pid").first)
        return try row.required("pid", row.int)
    }
}
