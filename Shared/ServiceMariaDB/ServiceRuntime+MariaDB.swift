import DatabaseKit
import EventKit
import FoundationEssentials
import MariaDB
import ServiceKit

extension ServiceRuntime {
    /// Connects to the service's own MariaDB database (`<PREFIX>_DATABASE_URL`), applies its
    /// migrations, checks it in `/ready` and closes the pool on shutdown.
    public mutating func attachMariaDB(migrations: [MigrationFile], eventTables: EventTables = .none) async throws -> MariaDBClient {
        let database = try ownDatabase(engine: "mariadb")
        let url = try settings.databaseURL(
            default: "mariadb://\(database)@127.0.0.1:3306/\(database)", schemes: ["mariadb", "mysql"])
        var configuration = try MariaDBConfiguration(url: url)
        configuration.poolSize = try settings.config.int("\(settings.prefix)_DATABASE_POOL_SIZE", default: 8, in: 1...128)
        let client = MariaDBClient(configuration: configuration)
        try await migrate(client, files: migrations, shared: eventTables.migrations(.mariadb))
        addReadinessCheck("mariadb") { try await client.ping() }
        onShutdown { await client.shutdown() }
        return client
    }
}
