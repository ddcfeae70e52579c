import DatabaseKit
import Postgres
import TestSupport
import Testing

@Suite("Postgres transactions", .needs(.postgres))
struct TransactionTests {
    struct Abort: Error {}

    @Test func aTransactionCommits() async throws {
        try await TestPostgres.withClient { client in
            try await TestPostgres.withTable("id SERIAL PRIMARY KEY, name TEXT", on: client) { table in
                let ids = try await client.transaction { connection in
                    let first = try connection.query("INSERT INTO \(table) (name) VALUES ($1) RETURNING id", ["a"])
                    let second = try connection.query("INSERT INTO \(table) (name) VALUES ($1) RETURNING id", ["b"])
                    return try (first + second).map { try $0.required("id", $0.int) }
                }
                #expect(ids == [1, 2])
                let names = try await client.query("SELECT name FROM \(table) ORDER BY id").map { try $0.string("name") }
                #expect(names == ["a", "b"])
            }
        }
    }

    @Test func aThrowingBodyLeavesNothing() async throws {
        try await TestPostgres.withClient(maxConnections: 1) { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY", on: client) { table in
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
                #expect(try await client.query("SELECT COUNT(*) AS n FROM \(table)").first?.int("n") == 0)
                try await expectNoOpenTransaction(client)
            }
        }
    }

    /// Postgres answers COMMIT of an aborted transaction with ROLLBACK and no error: a body that
    /// swallowed a failed statement must not be reported as committed.
    @Test func aSwallowedFailureDoesNotReportACommit() async throws {
        try await TestPostgres.withClient(maxConnections: 1) { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY", on: client) { table in
                let error = await #expect(throws: DatabaseError.self) {
                    try await client.transaction { connection in
                        try connection.execute("INSERT INTO \(table) VALUES (1)")
                        _ = try? connection.execute("INSERT INTO \(table) VALUES (1)")
                    }
                }
                #expect(error?.kind == .queryFailed)
                #expect(error?.code == "25P02")
                #expect(try await client.query("SELECT COUNT(*) AS n FROM \(table)").first?.int("n") == 0)
                try await expectNoOpenTransaction(client)
            }
        }
    }

    @Test func aSavepointLetsTheBodyRecover() async throws {
        try await TestPostgres.withClient(maxConnections: 1) { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY", on: client) { table in
                try await client.transaction { connection in
                    try connection.execute("INSERT INTO \(table) VALUES (1)")
                    try connection.execute("SAVEPOINT retry")
                    do {
                        try connection.execute("INSERT INTO \(table) VALUES (1)")
                    } catch let error as DatabaseError where error.kind == .uniqueViolation {
                        try connection.execute("ROLLBACK TO SAVEPOINT retry")
                    }
                    try connection.execute("INSERT INTO \(table) VALUES (2)")
                }
                #expect(try await client.query("SELECT id FROM \(table) ORDER BY id").map { try $0.int("id") } == [1, 2])
            }
        }
    }

    /// SAVEPOINT outside a transaction block fails with 25P01: proof that no transaction was left open.
    private func expectNoOpenTransaction(_ client: PostgresClient) async throws {
        let error = await #expect(throws: DatabaseError.self) { try await client.execute("SAVEPOINT probe") }
        #expect(error?.code == "25P01")
    }
}
