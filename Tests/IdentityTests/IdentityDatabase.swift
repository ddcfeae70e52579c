import DatabaseKit
import Foundation
import Postgres
import Testing

/// The live Postgres server of the integration tests: `TEST_POSTGRES_URL=postgresql://user:password@host:port/database`.
/// Each test works in a schema of its own (through `search_path`) and drops it afterwards.
enum IdentityDatabase {
    static let url = ProcessInfo.processInfo.environment["TEST_POSTGRES_URL"]
    static let isConfigured = url != nil
    static let skipReason: Comment = "TEST_POSTGRES_URL is not set (postgresql://user:password@host:port/database)"

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    static func client(url: String, maxConnections: Int = 4) throws -> PostgresClient {
        PostgresClient(
            configuration: try PostgresConfiguration(url: url, applicationName: "identity-tests", maxConnections: maxConnections))
    }

    static func url(searchPath schema: String) throws -> String {
        var components = try #require(URLComponents(string: url ?? ""))
        // libpq refuses a second raw '=' in a query parameter, so that one is percent-encoded.
        let option = URLQueryItem(name: "options", value: "-csearch_path%3D\(schema)")
        components.percentEncodedQueryItems = (components.percentEncodedQueryItems ?? []) + [option]
        return try #require(components.string)
    }

    /// Creates a fresh schema, applies `migrations` in it, runs `body` with a client whose
    /// `search_path` is that schema, then drops the schema (also when `body` throws).
    static func withSchema<T>(
        migrations: [Migration], maxConnections: Int = 4, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let schema = uniqueName("identity")
        let admin = try client(url: url ?? "", maxConnections: 1)
        do {
            try await admin.execute("CREATE SCHEMA \(schema)")
        } catch {
            await admin.shutdown()
            throw error
        }
        let client: PostgresClient
        do {
            client = try self.client(url: try url(searchPath: schema), maxConnections: maxConnections)
        } catch {
            _ = try? await admin.execute("DROP SCHEMA \(schema) CASCADE")
            await admin.shutdown()
            throw error
        }
        do {
            _ = try await Migrator.migrate(migrations, on: client)
            let result = try await body(client)
            await client.shutdown()
            try await admin.execute("DROP SCHEMA \(schema) CASCADE")
            await admin.shutdown()
            return result
        } catch {
            await client.shutdown()
            _ = try? await admin.execute("DROP SCHEMA \(schema) CASCADE")
            await admin.shutdown()
            throw error
        }
    }

    /// The repository's root, from this file's place in it.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Version 1 of a service's migrations: the shared outbox/inbox DDL, read from
    /// Shared/ServiceStores/EventTables.swift so the tests use exactly what services create.
    static func eventTables(outbox: Bool, inbox: Bool) throws -> Migration {
        let source = try String(
            contentsOf: repositoryRoot.appendingPathComponent("Shared/ServiceStores/EventTables.swift"), encoding: .utf8)
        var statements: [String] = []
        if outbox { statements.append(try literal(named: "postgresOutbox", in: source)) }
        if inbox { statements.append(try literal(named: "postgresInbox", in: source)) }
        return Migration(version: 1, name: "event_tables", sql: statements.joined(separator: "\n"))
    }

    /// A service's own migration files (`Services/<folder>/Migrations`).
    static func serviceMigrations(_ folder: String) throws -> [Migration] {
        try Migration.load(from: repositoryRoot.appendingPathComponent("Services/\(folder)/Migrations"))
    }

    /// The text of `static let <name> = """ … """`, with the literal's indentation removed.
    private static func literal(named name: String, in source: String) throws -> String {
        let start = try #require(source.range(of: "static let \(name) = \"\"\"\n"), "no \(name) in EventTables.swift")
        let end = try #require(source.range(of: "\"\"\"", range: start.upperBound..<source.endIndex))
        let lines = source[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        let sql = lines.map { $0.drop { $0 == " " } }.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(sql.hasPrefix("CREATE TABLE"))
        return sql
    }
}
