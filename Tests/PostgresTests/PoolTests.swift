import DatabaseKit
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Postgres pool and connections", .needs(.postgres))
struct PoolTests {
    @Test func fiftyTasksShareAPoolOfFour() async throws {
        try await TestPostgres.withClient(maxConnections: 4) { client in
            let sessions = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<50 {
                    group.addTask {
                        let row = try #require(
                            try await client.query(
                                "SELECT $1::int AS n, pg_backend_pid() AS pid, pg_sleep(0.01)::text AS s", [.int(Int64(task))]
                            ).first)
                        #expect(try row.int("n") == task)
                        return try row.required("pid", row.int)
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(sessions.count <= 4)
            #expect(sessions.count >= 2)
            let open = try await client.query(
                "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])",
                [.string("{\(sessions.map(String.init).joined(separator: ","))}")])
            #expect(try open.first?.int("n") == sessions.count)
        }
    }

    @Test func pingMakesARoundTrip() async throws {
        try await TestPostgres.withClient { client in
            try await client.ping()
        }
    }

    @Test func aTerminatedBackendIsReplaced() async throws {
        try await TestPostgres.withClient(maxConnections: 1) { client in
            try await TestPostgres.withClient(maxConnections: 1) { admin in
                let before = try await TestPostgres.backendPID(of: client)
                // The two-argument form waits until the backend is gone.
                let killed = try await admin.query("SELECT pg_terminate_backend($1, 5000) AS ok", [.int(Int64(before))])
                #expect(try killed.first?.bool("ok") == true)
                do {
                    let after = try await TestPostgres.backendPID(of: client)
                    #expect(after != before)
                } catch let error as DatabaseError {
                    #expect(error.kind == .connectionLost)
                    #expect(error.isConnectionProblem)
                }
                let next = try await TestPostgres.backendPID(of: client)
                #expect(next != before)
                try await client.ping()
            }
        }
    }

    @Test func aBackendTerminatedInsideATransactionFailsAsLostAndThePoolRecovers() async throws {
        try await TestPostgres.withClient(maxConnections: 1) { client in
            let error = await #expect(throws: DatabaseError.self) {
                try await client.transaction { connection in
                    _ = try connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
                }
            }
            #expect(error?.kind == .connectionLost)
            let one = try await client.query("SELECT 1 AS one").first?.int("one")
            #expect(one == 1)
        }
    }

    @Test func aWrongPasswordFailsQuicklyWithoutShowingIt() async throws {
        let password = "wrong-\(UUID().uuidString)"
        try await TestPostgres.withClient(maxConnections: 1, url: try TestPostgres.url(password: password)) { client in
            let start = ContinuousClock.now
            let error = await #expect(throws: DatabaseError.self) { try await client.ping() }
            #expect(ContinuousClock.now - start < .seconds(3))
            #expect(error?.kind == .connectionFailed)
            #expect(error?.message.contains(password) == false)
            #expect(error?.message.isEmpty == false)
        }
    }

    @Test func anUnknownDatabaseIsAConnectionFailure() async throws {
        var components = try #require(URLComponents(string: TestServer.postgres.require()))
        components.path = "/" + uniqueTestName("missing_db")
        try await TestPostgres.withClient(maxConnections: 1, url: components.string) { client in
            let error = await #expect(throws: DatabaseError.self) { try await client.ping() }
            #expect(error?.kind == .connectionFailed)
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["TEST_POSTGRES_BENCH"] != nil, "TEST_POSTGRES_BENCH is not set"))
    func primaryKeyLookupThroughput() async throws {
        try await TestPostgres.withClient(maxConnections: 4) { client in
            try await TestPostgres.withTable("id INT PRIMARY KEY, name TEXT", on: client) { table in
                try await client.execute("INSERT INTO \(table) SELECT g, 'item ' || g FROM generate_series(0, 99) AS g")
                let perTask = 2_500
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<8 {
                        group.addTask {
                            for index in 0..<perTask {
                                let id = Int64((task * perTask + index) % 100)
                                let rows = try await client.query("SELECT id, name FROM \(table) WHERE id = $1", [.int(id)])
                                #expect(rows.count == 1)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let seconds = (ContinuousClock.now - start) / .seconds(1)
                print("Postgres: \(Int(Double(8 * perTask) / seconds)) primary-key SELECTs per second (8 tasks, pool 4)")
            }
        }
    }
}
