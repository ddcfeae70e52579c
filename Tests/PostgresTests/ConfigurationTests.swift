import DatabaseKit
import Postgres
import Testing

@Suite("Postgres configuration")
struct ConfigurationTests {
    @Test func keepsTheURLAndHasShortDefaults() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://idm:secret@127.0.0.1:5432/idm", applicationName: "idm")
        #expect(configuration.url == "postgresql://idm:secret@127.0.0.1:5432/idm")
        #expect(configuration.connectTimeoutSeconds == 3)
        #expect(configuration.pool.maxConnections == 4)
        #expect(configuration.pool.name == "pg-idm")
        #expect(try PostgresConfiguration(url: "postgres://a@db/x", maxConnections: 9).pool.maxConnections == 9)
    }

    @Test(arguments: [
        "mariadb://app:pw@localhost/db", "postgresql://app:pw@localhost", "postgresql://app:pw@localhost/", "localhost:5432/db",
        "", "http://app:pw@localhost/db",
    ])
    func refusesBadURLs(url: String) {
        let error = #expect(throws: DatabaseError.self) { try PostgresConfiguration(url: url) }
        #expect(error?.kind == .connectionFailed)
    }

    @Test func aClosedPortIsAQuickConnectionFailure() async throws {
        let configuration = try PostgresConfiguration(url: "postgresql://app:s3cr3t-pw@127.0.0.1:1/db", maxConnections: 1)
        let client = PostgresClient(configuration: configuration)
        let start = ContinuousClock.now
        for _ in 0..<2 {
            let error = await #expect(throws: DatabaseError.self) { try await client.ping() }
            #expect(error?.kind == .connectionFailed)
            #expect(error?.isConnectionProblem == true)
            #expect(error?.message.contains("s3cr3t") == false)
        }
        // Refused at once, not after the 3 s connect timeout twice (a loaded machine takes ~2 s).
        #expect(ContinuousClock.now - start < .seconds(5))
        await client.shutdown()
    }

    @Test func aShutDownClientRefusesCalls() async throws {
        let client = PostgresClient(configuration: try PostgresConfiguration(url: "postgresql://app:pw@127.0.0.1:1/db"))
        await client.shutdown()
        let error = await #expect(throws: DatabaseError.self) { try await client.query("SELECT 1") }
        #expect(error?.kind == .poolClosed)
    }
}
