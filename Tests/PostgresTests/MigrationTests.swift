import DatabaseKit
import Postgres
import TestSupport
import Testing

/// Migrations share the database's `schema_migrations` table, so each test uses its own random
/// block of versions and table names; nothing here needs more than the test database.
@Suite("Postgres migrations", .needs(.postgres))
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
                        CREATE TABLE \(table) (id INT PRIMARY KEY, label TEXT NOT NULL DEFAULT 'a;b');
                        /* a seed row; */
                        INSERT INTO \(table) (id) VALUES (1);
                        INSERT INTO \(table) (id, label) VALUES (2, 'it''s; fine');

                        """),
                Migration(version: base + 2, name: "add_price", sql: "ALTER TABLE \(table) ADD COLUMN price INT NOT NULL DEFAULT 0;\n"),
                Migration(version: base + 3, name: "seed", sql: "UPDATE \(table) SET price = 250 WHERE id = 2;"),
            ]
        }

        func versions(_ offsets: [Int]) -> [Int] { offsets.map { base + $0 } }

        /// This fixture's block of versions, as parameters for `BETWEEN $1 AND $2`.
        var versionRange: [SQLValue] { [.int(Int64(base)), .int(Int64(base + 10))] }

        func recorded(_ client: PostgresClient) async throws -> [Int] {
            try await client.query(
                "SELECT version FROM schema_migrations WHERE version BETWEEN $1 AND $2 ORDER BY version", versionRange
            ).map { try $0.required("version", $0.int) }
        }

        func cleanUp(_ client: PostgresClient) async throws {
            try await client.execute("DROP TABLE IF EXISTS \(table) CASCADE")
            try await client.execute("DELETE FROM schema_migrations WHERE version BETWEEN $1 AND $2", versionRange)
        }
    }

    @Test func migrationsApplyOnceAndInOrder() async throws {
        let fixture = Fixture()
        try await TestPostgres.withClient { client in
            let applied = try await Migrator.migrate(fixture.migrations.reversed(), on: client)
            #expect(applied == fixture.versions([1, 2, 3]))
            let rows = try await client.query("SELECT id, label, price FROM \(fixture.table) ORDER BY id")
            #expect(try rows.map { try $0.string("label") } == ["a;b", "it's; fine"])
            #expect(try rows.map { try $0.int("price") } == [0, 250])
            let recorded = try await client.query(
                "SELECT version, name, applied_at FROM schema_migrations WHERE version BETWEEN $1 AND $2 ORDER BY version",
                fixture.versionRange)
            #expect(try recorded.map { try $0.string("name") } == ["create_table", "add_price", "seed"])
            #expect(try recorded.allSatisfy { try $0.date("applied_at") != nil })

            #expect(try await Migrator.migrate(fixture.migrations, on: client) == [])
            #expect(try await fixture.recorded(client) == fixture.versions([1, 2, 3]))
            try await fixture.cleanUp(client)
        }
    }

    @Test func aRenamedAppliedMigrationIsRefused() async throws {
        let fixture = Fixture()
        try await TestPostgres.withClient { client in
            try await Migrator.migrate(Array(fixture.migrations.prefix(2)), on: client)
            var renamed = fixture.migrations
            renamed[1] = Migration(version: renamed[1].version, name: "add_cost", sql: renamed[1].sql)
            let error = await #expect(throws: MigrationError.self) { try await Migrator.migrate(renamed, on: client) }
            #expect(error?.description.contains("add_cost") == true)
            #expect(try await fixture.recorded(client) == fixture.versions([1, 2]))
            try await fixture.cleanUp(client)
        }
    }

    @Test func aFailingMigrationIsNotRecordedAndRollsBackItsDDL() async throws {
        let fixture = Fixture()
        try await TestPostgres.withClient { client in
            let broken = Migration(
                version: fixture.base + 4, name: "broken",
                sql: """
                    CREATE TABLE \(fixture.table)_extra (id INT);
                    ALTER TABLE \(fixture.table) ADD COLUMN note TEXT;
                    INSERT INTO \(fixture.table) (id) VALUES (3);
                    INSERT INTO no_such_table VALUES (1);
                    """)
            let after = Migration(version: fixture.base + 5, name: "after", sql: "INSERT INTO \(fixture.table) (id) VALUES (5);")
            try await Migrator.migrate(Array(fixture.migrations.prefix(1)), on: client)
            let error = await #expect(throws: DatabaseError.self) {
                try await Migrator.migrate(Array(fixture.migrations.prefix(1)) + [broken, after], on: client)
            }
            #expect(error?.kind == .queryFailed)
            #expect(error?.code == "42P01")
            #expect(try await fixture.recorded(client) == fixture.versions([1]))
            // Postgres DDL is transactional: the new table, the new column and the row are all gone.
            let extra = try await client.query("SELECT to_regclass($1)::text AS name", [.string("\(fixture.table)_extra")])
            #expect(try extra.first?.isNull("name") == true)
            let row = try #require(try await client.query("SELECT * FROM \(fixture.table) ORDER BY id").first)
            #expect(row.columns == ["id", "label"])
            #expect(try await client.query("SELECT id FROM \(fixture.table) WHERE id IN (3, 5)").isEmpty)
            // The lock was released: a fixed migration applies.
            let fixed = Migration(version: fixture.base + 4, name: "broken", sql: "SELECT 1;")
            #expect(try await Migrator.migrate(Array(fixture.migrations.prefix(1)) + [fixed], on: client) == fixture.versions([4]))
            try await fixture.cleanUp(client)
        }
    }

    @Test func aFunctionBodyWithSemicolonsStaysOneStatement() async throws {
        let fixture = Fixture()
        try await TestPostgres.withClient { client in
            let function = Migration(
                version: fixture.base + 4, name: "audit_trigger",
                sql: """
                    CREATE TABLE \(fixture.table)_log (id INT, note TEXT);
                    CREATE FUNCTION \(fixture.table)_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        INSERT INTO \(fixture.table)_log VALUES (NEW.id, 'one;');
                        INSERT INTO \(fixture.table)_log VALUES (NEW.id, 'two;');
                        RETURN NEW;
                    END;
                    $$;
                    CREATE TRIGGER \(fixture.table)_audit AFTER INSERT ON \(fixture.table)
                        FOR EACH ROW EXECUTE FUNCTION \(fixture.table)_audit();
                    """)
            try await Migrator.migrate(Array(fixture.migrations.prefix(1)) + [function], on: client)
            try await client.execute("INSERT INTO \(fixture.table) (id) VALUES ($1)", [7])
            let notes = try await client.query("SELECT note FROM \(fixture.table)_log ORDER BY note").map { try $0.string("note") }
            #expect(notes == ["one;", "two;"])
            try await client.execute("DROP TABLE \(fixture.table)_log")
            try await fixture.cleanUp(client)
            try await client.execute("DROP FUNCTION \(fixture.table)_audit()")
        }
    }

    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        let fixture = Fixture()
        try await TestPostgres.withClient { first in
            try await TestPostgres.withClient { second in
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
