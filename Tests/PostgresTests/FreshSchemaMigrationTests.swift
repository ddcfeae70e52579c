import DatabaseKit
import Postgres
import TestSupport
import Testing

/// Replicas that start together on an empty database all find `schema_migrations` missing.
/// Each round uses its own schema (through `search_path`) so the table really is new.
@Suite("Postgres migrations on a fresh schema", .needs(.postgres))
struct FreshSchemaMigrationTests {
    @Test(arguments: 0..<6)
    func replicasStartingTogetherApplyEachMigrationOnce(round: Int) async throws {
        let schema = uniqueTestName("fresh\(round)")
        let migrations = [
            Migration(version: 1, name: "create_items", sql: "CREATE TABLE items (id INT PRIMARY KEY);"),
            Migration(version: 2, name: "seed_items", sql: "INSERT INTO items VALUES (1), (2);"),
        ]
        try await TestPostgres.withClient(maxConnections: 1) { admin in
            try await admin.execute("CREATE SCHEMA \(schema)")
            do {
                let url = try TestPostgres.url(searchPath: schema)
                let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            try await TestPostgres.withClient(maxConnections: 1, url: url) { replica in
                                try await Migrator.migrate(migrations, on: replica)
                            }
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0 += $1 }
                }
                #expect(applied.sorted() == [1, 2])
                let count = try await admin.query("SELECT COUNT(*) AS n FROM \(schema).items")
                #expect(try count.first?.int("n") == 2)
                try await admin.execute("DROP SCHEMA \(schema) CASCADE")
            } catch {
                _ = try? await admin.execute("DROP SCHEMA \(schema) CASCADE")
                throw error
            }
        }
    }
}
