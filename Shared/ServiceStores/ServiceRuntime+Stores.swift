import DatabaseKit
import Foundation
import MariaDB
import Mongo
import Postgres
import ServiceKit

/// Attaching a service's own store: connect, apply its migrations (retrying while the server
/// comes up), check it in `/ready`, and close the pool on shutdown.
extension ServiceRuntime {
    /// - Parameters:
    ///   - database: the database (and user) name of the native stack, used for the default URL.
    ///   - migrations: the service's resource bundle, holding a `Migrations` folder of `NNNN_name.sql` files.
    public mutating func attachPostgres(
        database: String, migrations: Bundle, eventTables: EventTables = .none
    ) async throws -> PostgresClient {
        let url = try settings.databaseURL(
            default: "postgresql://\(database)@127.0.0.1:5432/\(database)", schemes: ["postgres", "postgresql"])
        let maxConnections = try settings.config.int("\(settings.prefix)_DATABASE_POOL_SIZE", default: 8, in: 1...128)
        let client = PostgresClient(
            configuration: try PostgresConfiguration(url: url, applicationName: settings.name, maxConnections: maxConnections))
        try await migrate(client, from: migrations, first: eventTables.migration(.postgres))
        addReadinessCheck("postgres") { try await client.ping() }
        onShutdown { await client.shutdown() }
        return client
    }

    public mutating func attachMariaDB(
        database: String, migrations: Bundle, eventTables: EventTables = .none
    ) async throws -> MariaDBClient {
        let url = try settings.databaseURL(
            default: "mariadb://\(database)@127.0.0.1:3306/\(database)", schemes: ["mariadb", "mysql"])
        let client = MariaDBClient(configuration: try MariaDBConfiguration(url: url))
        try await migrate(client, from: migrations, first: eventTables.migration(.mariadb))
        addReadinessCheck("mariadb") { try await client.ping() }
        onShutdown { await client.shutdown() }
        return client
    }

    public mutating func attachMongo(database: String) async throws -> MongoClient {
        let url = try settings.databaseURL(default: "mongodb://127.0.0.1:27017/\(database)", schemes: ["mongodb"])
        let client = try MongoClient(configuration: try MongoConfiguration(url: url))
        try await retryDuringStartup("mongo ping", timeout: settings.startupTimeout, logger: logger) {
            try await client.ping()
        }
        addReadinessCheck("mongo") { try await client.ping() }
        onShutdown { await client.shutdown() }
        return client
    }

    private func migrate(_ store: some MigrationStore, from bundle: Bundle, first: Migration?) async throws {
        let folder = bundle.url(forResource: "Migrations", withExtension: nil)
        let migrations = try (first.map { [$0] } ?? []) + (folder.map(Migration.load(from:)) ?? [])
        let applied = try await retryDuringStartup("migrations", timeout: settings.startupTimeout, logger: logger) {
            try await Migrator.migrate(migrations, on: store)
        }
        logger.info("migrations checked", metadata: ["known": "\(migrations.count)", "applied_now": "\(applied)"])
    }
}
