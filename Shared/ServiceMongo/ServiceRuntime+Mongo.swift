import Mongo
import ServiceKit

extension ServiceRuntime {
    /// Connects to the service's own MongoDB database (`<PREFIX>_DATABASE_URL`), waiting for the
    /// server during start-up; checks it in `/ready` and closes the client on shutdown.
    public mutating func attachMongo() async throws -> MongoClient {
        let database = try ownDatabase(engine: "mongo")
        let url = try settings.databaseURL(default: "mongodb://127.0.0.1:27017/\(database)", schemes: ["mongodb"])
        let client = try MongoClient(configuration: try MongoConfiguration(url: url))
        try await retryDuringStartup("mongo ping", timeout: settings.startupTimeout, logger: logger) {
            try await client.ping()
        }
        addReadinessCheck("mongo") { try await client.ping() }
        onShutdown { await client.shutdown() }
        return client
    }
}
