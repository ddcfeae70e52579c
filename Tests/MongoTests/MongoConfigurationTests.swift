import DatabaseKit
import Foundation
import Testing

@testable import Mongo

@Suite struct MongoConfigurationTests {
    @Test func databaseAndDefaultsComeFromTheURL() throws {
        let configuration = try MongoConfiguration(url: "mongodb://127.0.0.1:27017/clients")
        #expect(configuration.database == "clients")
        #expect(configuration.poolSize == 8)
        #expect(configuration.serverSelectionTimeout == .seconds(2))
        #expect(configuration.connectTimeout == .seconds(2))
    }

    @Test func urlOptionsOverrideTheDefaults() throws {
        let configuration = try MongoConfiguration(
            url: "mongodb://h1:1,h2:2/app?maxPoolSize=3&serverSelectionTimeoutMS=500&appname=client-svc")
        #expect(configuration.poolSize == 3)
        #expect(configuration.serverSelectionTimeout == .milliseconds(500))
        #expect(configuration.appName == "client-svc")
    }

    @Test func aDatabaseIsRequired() {
        #expect(throws: DatabaseError.self) { try MongoConfiguration(url: "mongodb://127.0.0.1:27017") }
        #expect(throws: DatabaseError.self) { try MongoConfiguration(url: "mongodb://127.0.0.1:27017/") }
        #expect(throws: DatabaseError.self) { try MongoConfiguration(url: "postgres://x/y") }
    }

    @Test func anUnreachableServerFailsFastAsAConnectionError() async throws {
        // Nothing listens on port 1: every attempt is refused until server selection gives up.
        let client = try MongoClient(configuration: MongoConfiguration(url: "mongodb://127.0.0.1:1/none"))
        let started = ContinuousClock.now
        let error = await #expect(throws: DatabaseError.self) { try await client.ping() }
        #expect(error?.kind == .connectionFailed)
        #expect(ContinuousClock.now - started < .seconds(4))
        await client.shutdown()
    }

    @Test func callsAfterShutdownFailWithPoolClosed() async throws {
        let client = try MongoClient(configuration: MongoConfiguration(url: "mongodb://127.0.0.1:1/none"))
        await client.shutdown()
        await client.shutdown()  // twice is fine
        let error = await #expect(throws: DatabaseError.self) { try await client.collection("c").countDocuments() }
        #expect(error?.kind == .poolClosed)
    }
}
