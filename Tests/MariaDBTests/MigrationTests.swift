import DatabaseKit
import MariaDB
import TestSupport
import Testing

/// Migrations share the database's `schema_migrations` table, so each test uses its own random
/// block of versions and table names; nothing here needs more than the test database.
@Suite("MariaDB migrations", .needs(.mariadb))
struct MigrationTests {
    struct Fixture {
        let base = Int.random(in: 1_000_000..<2_000_000_000)
        let table = uniqueTestName("mig")

        var migrations: [Migration] {
            [
                Migration(
                    version: base + 1, name: "create_table",
                    sql: """
                        -- the table; comments and quoted ';' survive
                        CREATE TABLE \(table) (id INT PRIMARY KEY, label VARCHAR(50) NOT NULL DEFAULT 'a;b');
                        /* a seed row */
                        INSERT INTO \(table) (id) VALUES (1);
                        INSERT INTO \(table) (id, label) VALUES (2, 'it''s; fine');

                        """),
                Migration(version: base + 2, name: "add_price", sql: "ALTER TABLE \(table) ADD COLUMN price INT NOT NULL DEFAULT 0;\n"),
                Migration(version: base + 3, name: "seed", sql: "UPDATE \(table) SET price = 250 WHERE id = 2;"),
            ]
        }

        func versions(_ offsets: [Int]) -> [Int] { offsets.map { base + $0 } }

        /// This fixture's block of versions, as parameters for `BETWEEN ? AND ?`.
        var versionRange: [SQLValue] { [.int(Int64(base)), .int(Int64(base + 10))] }

        func cleanUp(_ client: MariaDBClient) async throws {
            try await client.execute("DROP TABLE IF EXISTS \(table)")
            try await client.execute(
                "DELETE FROM schema_migrations WHERE version BETWEEN ? AND ?", versionRange)
        }
    }

    @Test func migrationsApplyOnceAndInOrder() async throws {
        let fixture = Fixture()
        try await TestMariaDB.withClient { client in
            let applied = try await Migrator.migrate(fixture.migrations.reversed(), on: client)
            #expect(applied == fixture.versions([1, 2, 3]))
            let rows = try await client.query("SELECT id, label, price FROM \(fixture.table) ORDER BY id")
            #expect(try rows.map { try $0.string("label") } == ["a;b", "it's; fine"])
            #expect(try rows.map { try $0.int("price") } == [0, 250])
            let recorded = try await client.query(
                "SELECT version, name, applied_at FROM schema_migrations WHERE version BETWEEN ? AND ? ORDER BY version",
                fixture.versionRange)
            #expect(try recorded.map { try $0.string("name") } == ["create_table", "add_price", "seed"])
            #expect(try recorded.allSatisfy { try $0.date("applied_at") != nil })

            #expect(try await Migrator.migrate(fixture.migrations, on: client) == [])
            try await fixture.cleanUp(client)
        }
    }

    @Test func aRenamedAppliedMigrationIsRefused() async throws {
        let fixture = Fixture()
        try await TestMariaDB.withClient { client in
            try await Migrator.migrate(Array(fixture.migrations.prefix(2)), on: client)
            var renamed = fixture.migrations
            renamed[1] = Migration(version: renamed[1].version, name: "add_cost", sql: renamed[1].sql)
            await #expect(throws: MigrationError.self) { try await Migrator.migrate(renamed, on: client) }
            let count = try await client.query(
                "SELECT COUNT(*) AS n FROM schema_migrations WHERE version BETWEEN ? AND ?", fixture.versionRange)
            #expect(try count.first?.int("n") == 2)
            try await fixture.cleanUp(client)
        }
    }

    @Test func aFailingMigrationIsNotRecordedAndNamesItsStatement() async throws {
        let fixture = Fixture()
        try await TestMariaDB.withClient { client in
            let broken = Migration(
                version: fixture.base + 4, name: "broken",
                sql: "INSERT INTO \(fixture.table) (id) VALUES (3);\nINSERT INTO no_such_table VALUES (1);\n")
            try await Migrator.migrate(Array(fixture.migrations.prefix(1)), on: client)
            let error = await #expect(throws: DatabaseError.self) {
                try await Migrator.migrate(Array(fixture.migrations.prefix(1)) + [broken], on: client)
            }
            #expect(error?.message.contains("statement 2") == true)
            #expect(error?.message.contains("broken") == true)
            let recorded = try await client.query(
                "SELECT version FROM schema_migrations WHERE version = ?", [.int(Int64(fixture.base + 4))])
            #expect(recorded.isEmpty)
            // Data changes of the failed migration were rolled back with it.
            #expect(try await client.query("SELECT id FROM \(fixture.table) WHERE id = 3").isEmpty)
            try await fixture.cleanUp(client)
        }
    }

    @Test func aTriggerBodyWithSemicolonsStaysOneStatement() async throws {
        let fixture = Fixture()
        try await TestMariaDB.withClient { client in
            let trigger = Migration(
                version: fixture.base + 4, name: "audit_trigger",
                sql: """
                    CREATE TABLE \(fixture.table)_log (id INT, note VARCHAR(50));
                    CREATE TRIGGER \(fixture.table)_audit AFTER INSERT ON \(fixture.table) FOR EACH ROW
                    BEGIN
                        INSERT INTO \(fixture.table)_log VALUES (NEW.id, 'one;');
                        INSERT INTO \(fixture.table)_log VALUES (NEW.id, 'two;');
                    END;
                    """)
            try await Migrator.migrate(Array(fixture.migrations.prefix(1)) + [trigger], on: client)
            try await client.execute("INSERT INTO \(fixture.table) (id) VALUES (?)", [7])
            let notes = try await client.query("SELECT note FROM \(fixture.table)_log ORDER BY note").map { try $0.string("note") }
            #expect(notes == ["one;", "two;"])
            try await client.execute("DROP TABLE \(fixture.table)_log")
            try await fixture.cleanUp(client)
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        let fixture = Fixture()
        try await TestMariaDB.withClient { first in
            try await TestMariaDB.withClient { second in
                async let a = Migrator.migrate(fixture.migrations, on: first)
                async let b = Migrator.migrate(fixture.migrations, on: second)
                let (appliedByA, appliedByB) = try await (a, b)
                #expect((appliedByA + appliedByB).sorted() == fixture.versions([1, 2, 3]))
                #expect(appliedByA.isEmpty || appliedByB.isEmpty)
                try await fixture.cleanUp(first)
            }
        }
    }
}
