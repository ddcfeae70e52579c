import Foundation
import Mongo

/// The test MongoDB server (`TEST_MONGO_URL`: the development server, or a real mongod).
public enum TestMongo {
    /// Runs `body` with the URL of a fresh database on the test server, then drops it.
    public static func withEmptyDatabase<T>(_ body: (_ url: String) async throws -> T) async throws -> T {
        guard var components = URLComponents(string: try TestServer.mongo.require()) else {
            throw TestFailure("TEST_MONGO_URL is not a URL")
        }
        let name = uniqueTestName("t")
        components.path = "/" + name
        guard let url = components.string else { throw TestFailure("cannot rebuild the test URL") }
        let admin = try MongoClient(configuration: try MongoConfiguration(url: url))
        defer { Task { await admin.shutdown() } }
        return try await withCleanUp {
            try await body(url)
        } cleanUp: {
            _ = try await admin.runCommand(["dropDatabase": .int32(1)], database: name)
        }
    }
}
