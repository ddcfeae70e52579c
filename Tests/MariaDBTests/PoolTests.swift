import DatabaseKit
import Foundation
import MariaDB
import TestSupport
import Testing

@Suite("MariaDB pool and connections", .needs(.mariadb))
struct PoolTests {
    @Test func fiftyTasksShareAPoolOfFour() async throws {
        try await TestMariaDB.withClient(poolSize: 4) { client in
            let sessions = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<50 {
                    group.addTask {
                        let row = try #require(
                            try await client.query("SELECT ? AS n, CONNECTION_ID() AS session, SLEEP(0.01) AS s", [.int(Int64(task))]).first)
                        #expect(try row.int("n") == task)
                        return try row.required("session", row.int)
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(sessions.count <= 4)
            #expect(sessions.count >= 2)
        }
    }

    @Test func pingMakesARoundTrip() async throws {
        try await TestMariaDB.withClient { client in
            try await client.ping()
        }
    }

    @Test func aWrongPasswordIsAConnectionFailure() async throws {
        var configuration = try TestMariaDB.configuration(poolSize: 1)
        configuration.password += "-wrong"
        let client = MariaDBClient(configuration: configuration)
        let error = await #expect(throws: DatabaseError.self) { try await client.ping() }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.code == "1045")
        #expect(error?.message.contains(configuration.password) == false)
        await client.shutdown()
    }

    @Test func aKilledSessionIsReplaced() async throws {
        try await TestMariaDB.withClient(poolSize: 1) { client in
            try await TestMariaDB.withClient(poolSize: 1) { admin in
                let before = try await sessionID(of: client)
                try await admin.execute("KILL CONNECTION \(before)")
                do {
                    let after = try await sessionID(of: client)
                    #expect(after != before)
                } catch let error as DatabaseError {
                    #expect(error.kind == .connectionLost)
                }
                let next = try await sessionID(of: client)
                #expect(next != before)
                try await client.ping()
            }
        }
    }

    @Test func aSessionKilledInsideATransactionFailsAsLostAndThePoolRecovers() async throws {
        try await TestMariaDB.withClient(poolSize: 1) { client in
            let error = await #expect(throws: DatabaseError.self) {
                try await client.transaction { connection in
                    let id = try connection.query("SELECT CONNECTION_ID() AS id").first?.int("id") ?? 0
                    _ = try? connection.execute("KILL CONNECTION \(id)")
                    try connection.execute("DO 1")
                }
            }
            #expect(error?.kind == .connectionLost)
            let one = try await client.query("SELECT 1 AS one").first?.int("one")
            #expect(one == 1)
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["TEST_MARIADB_BENCH"] != nil, "TEST_MARIADB_BENCH is not set"))
    func primaryKeyLookupThroughput() async throws {
        try await TestMariaDB.withClient(poolSize: 4) { client in
            try await TestMariaDB.withTable("id INT PRIMARY KEY, name VARCHAR(50)", on: client) { table in
                for id in 0..<100 {
                    try await client.execute("INSERT INTO \(table) VALUES (?, ?)", [.int(Int64(id)), .string("item \(id)")])
                }
                let perTask = 2_500
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<8 {
                        group.addTask {
                            for index in 0..<perTask {
                                let id = Int64((task * perTask + index) % 100)
                                let rows = try await client.query("SELECT id, name FROM \(table) WHERE id = ?", [.int(id)])
                                #expect(rows.count == 1)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let seconds = (ContinuousClock.now - start) / .seconds(1)
                print("MariaDB: \(Int(Double(8 * perTask) / seconds)) primary-key SELECTs per second (8 tasks, pool 4)")
            }
        }
    }

    private func sessionID(of client: MariaDBClient) async throws -> Int {
        let row = try #require(try await client.query("SELECT CONNECTION_ID() AS id").first)
        return try row.required("id", row.int)
    }
}
