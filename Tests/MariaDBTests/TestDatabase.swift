import DatabaseKit
import Foundation
import MariaDB
import Testing

/// The live server the tests use: `TEST_MARIADB_URL=mariadb://user:password@host:port/database`.
/// Tests create uniquely named tables and remove only those.
enum TestDatabase {
    static let url = ProcessInfo.processInfo.environment["TEST_MARIADB_URL"]
    static let isConfigured = url != nil
    static let skipReason: Comment = "TEST_MARIADB_URL is not set"

    static func configuration(poolSize: Int = 4) throws -> MariaDBConfiguration {
        var configuration = try MariaDBConfiguration(url: url ?? "")
        configuration.poolSize = poolSize
        return configuration
    }

    /// Runs `body` with a fresh client and shuts it down afterwards, also when `body` throws.
    static func withClient<T>(poolSize: Int = 4, _ body: (MariaDBClient) async throws -> T) async throws -> T {
        let client = MariaDBClient(configuration: try configuration(poolSize: poolSize))
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
        _ columns: String, on client: MariaDBClient, _ body: (String) async throws -> T
    ) async throws -> T {
        let table = uniqueName("t")
        try await client.execute("CREATE TABLE \(table) (\(columns))")
        do {
            let result = try await body(table)
            try await client.execute("DROP TABLE \(table)")
            return result
        } catch {
            _ = try? await client.execute("DROP TABLE \(table)")
            throw error
        }
    }
}
