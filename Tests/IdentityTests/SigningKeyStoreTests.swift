import AccessTokens
import DatabaseKit
@testable import IDMService
import Postgres
import TestSupport
import Testing

/// The signing key idm generates on its first start: later starts and concurrent replicas all
/// end up with the one stored key.
@Suite("Signing key store", .needs(.postgres))
struct SigningKeyStoreTests {
    func withDatabase<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        let migrations = try ServiceSchemas.migrations(of: "IDM", eventTables: .init(outbox: true, inbox: true))
        return try await TestPostgres.withSchema(migrations: migrations, maxConnections: 8) { client in
            try await body(client)
        }
    }

    static func storedKeys(_ client: PostgresClient) async throws -> [String] {
        try await client.query("SELECT kid FROM signing_keys").map { try $0.required("kid", $0.string) }
    }

    @Test func aLaterStartLoadsTheKeyTheFirstOneCreated() async throws {
        try await withDatabase { client in
            let first = try await SigningKeyStore.loadOrCreate(in: client)
            let second = try await SigningKeyStore.loadOrCreate(in: client)
            #expect(second.kid == first.kid)
            #expect(second.pemRepresentation == first.pemRepresentation)
            #expect(try await Self.storedKeys(client) == [first.kid])
        }
    }

    @Test func anExistingKeyIsUsedAsItIs() async throws {
        let existing = try SigningKey.generate()
        try await withDatabase { client in
            try await client.execute(
                "INSERT INTO signing_keys (kid, private_key_pem) VALUES ($1, $2)",
                [.string(existing.kid), .string(existing.pemRepresentation)])
            #expect(try await SigningKeyStore.loadOrCreate(in: client).kid == existing.kid)
            #expect(try await Self.storedKeys(client) == [existing.kid])
        }
    }

    @Test func concurrentFirstStartsAgreeOnOneKey() async throws {
        try await withDatabase { client in
            let kids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await SigningKeyStore.loadOrCreate(in: client).kid }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(kids.count == 6)
            #expect(Set(kids).count == 1)
            #expect(try await Self.storedKeys(client) == Array(Set(kids)))
        }
    }
}
