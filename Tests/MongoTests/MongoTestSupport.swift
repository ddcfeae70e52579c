import DatabaseKit
import Foundation
import Mongo
import TestSupport
import Testing

/// Which servers the integration tests run against.
///
/// `TEST_MONGO_URL` is the development server (scripts/mongo-dev), `MONGO_TEST_URL` a real
/// mongod; every one that is set gets the whole suite. Each test works in its own collection
/// (`t_<random>`) of the URL's database and drops it afterwards.
enum MongoTestEnvironment {
    static let urls: [String] = [TestServer.mongo.url, TestServer(variable: "MONGO_TEST_URL").url].compactMap { $0 }

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

/// Under `REQUIRE_TEST_SERVERS=1` the parameterised suites would run no case at all without a
/// server, so this test is what fails then.
@Test(.needs(.mongo)) func theDevelopmentServerIsConfigured() throws {
    _ = try TestServer.mongo.require()
}
