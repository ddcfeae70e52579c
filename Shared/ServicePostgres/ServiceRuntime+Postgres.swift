import DatabaseKit
import EventKit
import FoundationEssentials
import Postgres
import ServiceKit

extension ServiceRuntime {
    /// Connects to the service's own Postgres database (`<PREFIX>_DATABASE_URL`, by default the
    /// native stack's database of its descriptor), applies its migrations, checks it in `/ready`
    /// and closes the pool on shutdown.
    /// - Parameter migrations: the service's `NNNN_name.sql` files (`ServiceMigrations.files`, embedded by the EmbedMigrations plugin).
    public mutating func attachPostgres(migrations: [MigrationFile], eventTables: EventTables = .none) async throws -> PostgresClient {
        let database = try ownDatabase(engine: "postgres")
        let url = try settings.databaseURL(
            default: "postgresql://\(database)@127.0.0.1:5432/\(database)", schemes: ["postgres", "postgresql"])
        let maxConnections = try settings.config.int("\(settings.prefix)_DATABASE_POOL_SIZE", default: 8, in: 1...128)
        let client = PostgresClient(
            configuration: try PostgresConfiguration(url: url, applicationName: settings.name, maxConnections: maxConnections))
        try await migrate(client, files: migrations, shared: eventTables.migrations(.postgres))
        addReadinessCheck("postgres") { try await client.ping() }
        onShutdown { await client.shutdown() }
        return client
    }
}
