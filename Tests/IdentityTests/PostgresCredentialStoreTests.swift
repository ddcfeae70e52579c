import AuthService
import Contracts
import DatabaseKit
import EventKit
import PasswordHashing
import Foundation
import PlatformCore
import Postgres
import SwiftProtobuf
import TestSupport
import Testing

@Suite("Postgres credential store", .needs(.postgres))
struct PostgresCredentialStoreTests {
    let userID = UUID()
    let registeredAt = Date(timeIntervalSince1970: 1_800_000_000)

    func withStore<T>(_ body: (PostgresCredentialStore, PostgresClient) async throws -> T) async throws -> T {
        let migrations = try ServiceSchemas.migrations(of: "Auth", eventTables: .init(outbox: false, inbox: true))
        try #require(migrations.map(\.version) == [1, 2, 3])
        return try await TestPostgres.withSchema(migrations: migrations, maxConnections: 8) { client in
            try await body(PostgresCredentialStore(client: client), client)
        }
    }

    var registration: CredentialChange {
        .registered(
            Credential(
                userID: userID, email: "ada@example.com", passwordHash: "$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
                roles: ["customer"], active: true, sourceVersion: 1))
    }

    static func count(_ table: String, _ client: PostgresClient) async throws -> Int {
        try #require(try await client.query("SELECT COUNT(*) AS n FROM \(table)").first?.int("n"))
    }

    @Test func theSameEventAppliedTwiceLeavesOneRow() async throws {
        try await withStore { store, client in
            let eventID = UUID()
            #expect(try await store.apply(registration, eventID: eventID, eventType: "user.registered"))
            #expect(try await store.apply(registration, eventID: eventID, eventType: "user.registered") == false)
            #expect(try await Self.count("credentials", client) == 1)
            #expect(try await Self.count("inbox", client) == 1)
            let credential = try #require(try await store.find(email: "ada@example.com"))
            #expect(credential.userID == userID)
            #expect(credential.roles == ["customer"])
            #expect(credential.sourceVersion == 1)
        }
    }

    @Test func aDoubleDeliveryThroughTheServiceLeavesOneRow() async throws {
        try await withStore { store, client in
            let event = try Fixtures.received(
                EventCatalog.userRegistered,
                .with {
                    $0.userID = userID.lowercasedString
                    $0.email = "Ada@Example.com"
                    $0.roles = ["customer"]
                    $0.passwordHash = "$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
                    $0.registeredAt = Google_Protobuf_Timestamp(date: registeredAt)
                    $0.version = 1
                })
            let handlers = try authEventHandlers(
                credentials: CredentialRegistry(store: store, hasher: try await PasswordHasher(cost: 4, threads: 1)))
            try await handlers.handle(event)
            try await handlers.handle(event)
            #expect(try await Self.count("credentials", client) == 1)
            #expect(try await store.find(userID: userID)?.email == "ada@example.com")
        }
    }

    @Test func concurrentDeliveriesOfTheSameEventApplyItOnce() async throws {
        try await withStore { store, client in
            let eventID = UUID()
            let change = registration
            let applied = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.apply(change, eventID: eventID, eventType: "user.registered") }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(applied.count == 8)
            #expect(applied.filter { $0 }.count == 1)
            #expect(try await Self.count("credentials", client) == 1)
            #expect(try await Self.count("inbox", client) == 1)
        }
    }

    @Test func anUpdateForAnUnknownUserRollsBackSoItCanBeRetried() async throws {
        try await withStore { store, client in
            let eventID = UUID()
            let update = CredentialChange.updated(
                userID: userID, email: "ada@example.com", roles: ["staff"], active: true, version: 2)
            do {
                _ = try await store.apply(update, eventID: eventID, eventType: "user.updated")
                Issue.record("an update for an unknown user must fail")
            } catch let error as AppError {
                #expect(error.code == .unavailable)
            }
            #expect(try await Self.count("inbox", client) == 0)

            #expect(try await store.apply(registration, eventID: UUID(), eventType: "user.registered"))
            #expect(try await store.apply(update, eventID: eventID, eventType: "user.updated"))
            #expect(try await store.find(userID: userID)?.roles == ["staff"])
        }
    }

    @Test func anOlderUpdateDoesNotOverwriteANewerOne() async throws {
        try await withStore { store, _ in
            #expect(try await store.apply(registration, eventID: UUID(), eventType: "user.registered"))
            let newer = CredentialChange.updated(
                userID: userID, email: "ada@example.com", roles: ["admin"], active: true, version: 3)
            let older = CredentialChange.updated(
                userID: userID, email: "old@example.com", roles: ["staff"], active: true, version: 2)
            #expect(try await store.apply(newer, eventID: UUID(), eventType: "user.updated"))
            #expect(try await store.apply(older, eventID: UUID(), eventType: "user.updated"))
            let credential = try #require(try await store.find(userID: userID))
            #expect(credential.roles == ["admin"])
            #expect(credential.email == "ada@example.com")

            #expect(try await store.apply(.deactivated(userID: userID, version: 4), eventID: UUID(), eventType: "user.deactivated"))
            #expect(try await store.find(userID: userID)?.active == false)
        }
    }
}
