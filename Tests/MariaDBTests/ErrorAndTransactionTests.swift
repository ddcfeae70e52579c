import DatabaseKit
import MariaDB
import TestSupport
import Testing

@Suite("MariaDB errors and transactions", .needs(.mariadb))
struct ErrorAndTransactionTests {
    struct Abort: Error {}

    @Test func aDuplicateKeyIsAUniqueViolationWithoutTheValue() async throws {
        try await TestMariaDB.withClient { client in
            try await TestMariaDB.withTable("id INT PRIMARY KEY, email VARCHAR(100) UNIQUE", on: client) { table in
                try await client.execute("INSERT INTO \(table) VALUES (1, ?)", ["secret@example.com"])
                let error = await #expect(throws: DatabaseError.self) {
                    try await client.execute("INSERT INTO \(table) VALUES (2, ?)", ["secret@example.com"])
                }
                #expect(error?.kind == .uniqueViolation)
                #expect(error?.code == "1062")
                #expect(error?.message.contains("secret") == false)
                #expect(error?.message.contains("email") == true)
                // The connection is still fine afterwards.
                #expect(try await client.query("SELECT COUNT(*) AS n FROM \(table)").first?.int("n") == 1)
            }
        }
    }

    @Test func constraintsAndBadStatementsMapToTheirKinds() async throws {
        try await TestMariaDB.withClient { client in
            try await TestMariaDB.withTable("id INT PRIMARY KEY, qty INT NOT NULL CHECK (qty >= 0)", on: client) { table in
                let notNull = await #expect(throws: DatabaseError.self) {
                    try await client.execute("INSERT INTO \(table) VALUES (1, ?)", [nil])
                }
                #expect(notNull?.kind == .constraintViolation)
                #expect(notNull?.code == "1048")
                let check = await #expect(throws: DatabaseError.self) {
                    try await client.execute("INSERT INTO \(table) VALUES (1, ?)", [-1])
                }
                #expect(check?.kind == .constraintViolation)
                #expect(check?.code == "4025")  // MariaDB's CHECK error; MySQL uses 3819
                let badValue = await #expect(throws: DatabaseError.self) {
                    try await client.execute("INSERT INTO \(table) VALUES (1, ?)", ["hunter2-not-a-number"])
                }
                #expect(badValue?.kind == .queryFailed)
                #expect(badValue?.message.contains("hunter2") == false)
                let syntax = await #expect(throws: DatabaseError.self) { try await client.query("SELEKT 1") }
                #expect(syntax?.kind == .queryFailed)
                #expect(syntax?.code == "1064")
                let arity = await #expect(throws: DatabaseError.self) { try await client.query("SELECT ? AS a", []) }
                #expect(arity?.kind == .queryFailed)
            }
        }
    }

    @Test func aForeignKeyViolationIsAConstraintViolation() async throws {
        try await TestMariaDB.withClient { client in
            try await TestMariaDB.withTable("id INT PRIMARY KEY", on: client) { parent in
                try await TestMariaDB.withTable(
                    "id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES \(parent) (id)", on: client
                ) { child in
                    let error = await #expect(throws: DatabaseError.self) {
                        try await client.execute("INSERT INTO \(child) VALUES (1, ?)", [99])
                    }
                    #expect(error?.kind == .constraintViolation)
                    #expect(error?.code == "1452")
                }
            }
        }
    }

    @Test func aTransactionCommits() async throws {
        try await TestMariaDB.withClient { client in
            try await TestMariaDB.withTable("id INT AUTO_INCREMENT PRIMARY KEY, name TEXT", on: client) { table in
                let ids = try await client.transaction { connection in
                    try connection.execute("INSERT INTO \(table) (name) VALUES (?)", ["a"])
                    let first = connection.lastInsertID
                    try connection.execute("INSERT INTO \(table) (name) VALUES (?)", ["b"])
                    return [first, connection.lastInsertID]
                }
                #expect(ids == [1, 2])
                let names = try await client.query("SELECT name FROM \(table) ORDER BY id").map { try $0.string("name") }
                #expect(names == ["a", "b"])
            }
        }
    }

    @Test func aTransactionRollsBackWhenTheBodyThrows() async throws {
        try await TestMariaDB.withClient(poolSize: 1) { client in
            try await TestMariaDB.withTable("id INT PRIMARY KEY", on: client) { table in
                await #expect(throws: Abort.self) {
                    try await client.transaction { connection in
                        try connection.execute("INSERT INTO \(table) VALUES (1), (2)")
                        throw Abort()
                    }
                }
                let duplicate = await #expect(throws: DatabaseError.self) {
                    try await client.transaction { connection in
                        try connection.execute("INSERT INTO \(table) VALUES (3)")
                        try connection.execute("INSERT INTO \(table) VALUES (3)")
                    }
                }
                #expect(duplicate?.kind == .uniqueViolation)
                let count = try await client.query("SELECT COUNT(*) AS n FROM \(table)").first?.int("n")
                #expect(count == 0)
                // The single pooled session is not left inside a transaction.
                let open = try await client.query("SELECT @@in_transaction AS t").first?.int("t")
                #expect(open == 0)
            }
        }
    }

    @Test func anUpdateCountsMatchedRows() async throws {
        try await TestMariaDB.withClient { client in
            try await TestMariaDB.withTable("id INT PRIMARY KEY, status VARCHAR(10)", on: client) { table in
                let inserted = try await client.execute("INSERT INTO \(table) VALUES (1, 'paid'), (2, 'new')")
                let unchanged = try await client.execute("UPDATE \(table) SET status = ? WHERE id = ?", ["paid", 1])
                let missing = try await client.execute("UPDATE \(table) SET status = ? WHERE id = ?", ["paid", 3])
                #expect([inserted, unchanged, missing] == [2, 1, 0])
            }
        }
    }
}
