import DatabaseKit
import Foundation
import Mongo
import Testing

/// Which servers the integration tests run against.
///
/// `TEST_MONGO_URL` is the development server (scripts/mongo-dev), `MONGO_TEST_URL` a real
/// mongod; every one that is set gets the whole suite. Each test works in its own collection
/// (`t_<random>`) of the URL's database and drops it afterwards.
enum MongoTestEnvironment {
    static let urls: [String] = ["TEST_MONGO_URL", "MONGO_TEST_URL"].compactMap {
        guard let url = ProcessInfo.processInfo.environment[$0], !url.isEmpty else { return nil }
        return url
    }

    static let isConfigured = !urls.isEmpty

    /// Runs `body` with a fresh client and collection, then drops the collection and shuts down.
    static func withCollection(
        _ url: String, poolSize: Int? = nil, _ body: (MongoClient, MongoCollection) async throws -> Void
    ) async throws {
        var configuration = try MongoConfiguration(url: url)
        if let poolSize { configuration.poolSize = poolSize }
        let client = try MongoClient(configuration: configuration)
        let collection = client.collection("t_" + UUID().uuidString.prefix(8).lowercased())
        do {
            try await body(client, collection)
        } catch {
            try? await collection.drop()
            await client.shutdown()
            throw error
        }
        try await collection.drop()
        await client.shutdown()
    }
}

extension Trait where Self == ConditionTrait {
    static var needsMongo: Self {
        .enabled(
            if: MongoTestEnvironment.isConfigured,
            "set TEST_MONGO_URL (the dev server, e.g. mongodb://127.0.0.1:27019/test) and/or MONGO_TEST_URL (a real mongod)"
        )
    }
}
