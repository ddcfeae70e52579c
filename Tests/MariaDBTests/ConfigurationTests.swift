import DatabaseKit
import MariaDB
import Testing

@Suite("MariaDB configuration")
struct ConfigurationTests {
    @Test func parsesAndPercentDecodesTheURL() throws {
        let configuration = try MariaDBConfiguration(
            url: "mariadb://ana%40cafe:p%40ss%3Aw%2Frd@db.internal:3310/sales%5Fdb?connect_timeout=5&pool_size=8")
        #expect(configuration.user == "ana@cafe")
        #expect(configuration.password == "p@ss:w/rd")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 3310)
        #expect(configuration.database == "sales_db")
        #expect(configuration.connectTimeout == 5)
        #expect(configuration.poolSize == 8)
        #expect(configuration.unixSocket == nil)
    }

    @Test func hasShortDefaults() throws {
        let configuration = try MariaDBConfiguration(url: "mariadb://app:secret@localhost/events")
        #expect(configuration.port == 3306)
        #expect(configuration.connectTimeout == 3)
        #expect(configuration.poolSize == 4)
        #expect(configuration.readTimeout > 30)
    }

    @Test func neverPrintsThePassword() throws {
        let configuration = try MariaDBConfiguration(url: "mariadb://app:topsecret@localhost:3306/events")
        #expect(!configuration.description.contains("topsecret"))
    }

    @Test(arguments: [
        "postgres://app:pw@localhost/db", "mariadb://localhost/db", "mariadb://app:pw@localhost",
        "mariadb://app:pw@localhost/db?unknown=1", "mariadb://app:pw@localhost/db?pool_size=0",
    ])
    func refusesBadURLs(url: String) {
        #expect(throws: MariaDBConfigurationError.self) { try MariaDBConfiguration(url: url) }
    }

    @Test func anUnreachableServerIsAConnectionFailure() async throws {
        var configuration = try MariaDBConfiguration(url: "mariadb://app:pw@127.0.0.1:1/db")
        configuration.poolSize = 1
        let client = MariaDBClient(configuration: configuration)
        let error = await #expect(throws: DatabaseError.self) { try await client.ping() }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.code == "2002")
        await client.shutdown()
    }
}
