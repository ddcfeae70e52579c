import DatabaseKit
import Postgres
import TestSupport
import Testing

@Suite("Postgres errors", .needs(.postgres))
struct ErrorTests {
    @Test func aDuplicateKeyIsAUniqueViolationWithoutTheValue() async throws {
        try await TestPostgres.withClient(maxConnections: 1) { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY, email TEXT UNIQUE", on: client) { table in
                try await client.execute("INSERT INTO \(table) VALUES (1, $1)", ["secret@example.com"])
                let before = try await TestPostgres.backendPID(of: client)
                let error = await #expect(throws: DatabaseError.self) {
                    try await client.execute("INSERT INTO \(table) VALUES (2, $1)", ["secret@example.com"])
                }
                #expect(error?.kind == .uniqueViolation)
                #expect(error?.code == "23505")
                #expect(error?.message.contains("secret") == false)
                #expect(error?.message.contains("\(table)_email_key") == true)
                #expect(error?.isConnectionProblem == false)
                // The same connection is kept and still fine afterwards.
                #expect(try await client.query("SELECT COUNT(*) AS n FROM \(table)").first?.int("n") == 1)
                #expect(try await TestPostgres.backendPID(of: client) == before)
            }
        }
    }

    @Test func notNullAndCheckAreConstraintViolations() async throws {
        try await TestPostgres.withClient { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY, qty INT NOT NULL CHECK (qty >= 0)", on: client) { table in
                let notNull = await #expect(throws: DatabaseError.self) {
                    try await client.execute("INSERT INTO \(table) VALUES (1, $1)", [nil])
                }
                #expect(notNull?.kind == .constraintViolation)
                #expect(notNull?.code == "23502")
                let check = await #expect(throws: DatabaseError.self) {
                    try await client.execute("INSERT INTO \(table) VALUES (1, $1)", [-1])
                }
                #expect(check?.kind == .constraintViolation)
                #expect(check?.code == "23514")
            }
        }
    }

    @Test func aForeignKeyViolationIsAConstraintViolation() async throws {
        try await TestPostgres.withClient { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY", on: client) { parent in
                try await TestPostgres.withTable("id INT PRIMARY KEY, parent_id INT REFERENCES \(parent) (id)", on: client) { child in
                    let error = await #expect(throws: DatabaseError.self) {
                        try await client.execute("INSERT INTO \(child) VALUES (1, $1)", [99])
                    }
                    #expect(error?.kind == .constraintViolation)
                    #expect(error?.code == "23503")
                    try await client.execute("INSERT INTO \(parent) VALUES (99)")
                    #expect(try await client.execute("INSERT INTO \(child) VALUES (1, $1)", [99]) == 1)
                }
            }
        }
    }

    @Test func badStatementsAreQueryFailuresAndKeepTheConnection() async throws {
        try await TestPostgres.withClient(maxConnections: 1) { client in
            let before = try await TestPostgres.backendPID(of: client)
            let syntax = await #expect(throws: DatabaseError.self) { try await client.query("SELEKT 1") }
            #expect(syntax?.kind == .queryFailed)
            #expect(syntax?.code == "42601")
            let missing = await #expect(throws: DatabaseError.self) { try await client.query("SELECT * FROM no_such_table_xyz") }
            #expect(missing?.kind == .queryFailed)
            #expect(missing?.code == "42P01")
            let badValue = await #expect(throws: DatabaseError.self) {
                try await client.query("SELECT $1::int AS n", ["hunter2-not-a-number"])
            }
            #expect(badValue?.kind == .queryFailed)
            #expect(badValue?.code == "22P02")
            let twoStatements = await #expect(throws: DatabaseError.self) { try await client.query("SELECT 1; SELECT 2") }
            #expect(twoStatements?.kind == .queryFailed)
            let arity = await #expect(throws: DatabaseError.self) { try await client.query("SELECT $1::int AS a", []) }
            #expect(arity?.kind == .queryFailed)
            #expect(try await TestPostgres.backendPID(of: client) == before)
        }
    }

    @Test func errorMessagesDoNotCarryParameterValues() async throws {
        try await TestPostgres.withClient { client in
            let error = await #expect(throws: DatabaseError.self) {
                try await client.query("SELECT $1::int AS n", ["hunter2-not-a-number"])
            }
            #expect(error?.message.contains("hunter2") == false)
            #expect(error?.description.contains("hunter2") == false)
            #expect(error?.message.hasPrefix("invalid input syntax for type integer") == true)
            let range = await #expect(throws: DatabaseError.self) {
                try await client.query("SELECT $1::int AS n", ["98765432109876"])
            }
            #expect(range?.code == "22003")
            #expect(range?.message.contains("98765432109876") == false)
            #expect(range?.message.contains("out of range") == true)
        }
    }

    @Test func anUpdateCountsMatchedRows() async throws {
        try await TestPostgres.withClient { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY, status TEXT", on: client) { table in
                let inserted = try await client.execute("INSERT INTO \(table) VALUES (1, 'paid'), (2, 'new')")
                let unchanged = try await client.execute("UPDATE \(table) SET status = $1 WHERE id = $2", ["paid", 1])
                let missing = try await client.execute("UPDATE \(table) SET status = $1 WHERE id = $2", ["paid", 3])
                let deleted = try await client.execute("DELETE FROM \(table)")
                #expect([inserted, unchanged, missing, deleted] == [2, 1, 0, 2])
                #expect(try await client.execute("CREATE INDEX ON \(table) (status)") == 0)
            }
        }
    }
}
