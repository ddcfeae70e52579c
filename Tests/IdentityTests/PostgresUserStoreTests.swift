import DatabaseKit
import EventKit
import Foundation
import PasswordHashing
import PlatformCore
import Postgres
import SwiftProtobuf
import TestSupport
import Testing
import UserService

/// `PostgresUserStore` against the live server: rows and their events commit together, changes
/// under the row lock lose no update, and the admin list filters and pages in SQL.
@Suite("Postgres user store", .needs(.postgres))
struct PostgresUserStoreTests {
    /// Whole seconds, so times survive Postgres' microseconds exactly.
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    func withStore<T>(_ body: (PostgresUserStore, PostgresClient) async throws -> T) async throws -> T {
        let migrations = try ServiceSchemas.migrations(of: "User", eventTables: .init(outbox: true, inbox: false))
        return try await TestPostgres.withSchema(migrations: migrations, maxConnections: 8) { client in
            try await body(PostgresUserStore(client: client), client)
        }
    }

    /// A user created `offset` seconds after `start` (emails are lowercase, as the registry stores them).
    static func user(
        _ email: String, name: String = "Ada", roles: [String] = ["customer"], active: Bool = true,
        createdAt offset: TimeInterval = 0
    ) -> UserRecord {
        let time = start.addingTimeInterval(offset)
        return UserRecord(id: UUID(), email: email, name: name, roles: roles, active: active, createdAt: time, updatedAt: time)
    }

    static func registered(_ user: UserRecord) throws -> DomainEvent {
        try DomainEvent(
            EventCatalog.userRegistered,
            .with {
                $0.userID = user.id.lowercasedString
                $0.email = user.email
                $0.name = user.name
                $0.roles = user.roles
            },
            correlationID: "request-1")
    }

    static func updated(_ user: UserRecord) throws -> DomainEvent {
        try DomainEvent(
            EventCatalog.userUpdated,
            .with {
                $0.userID = user.id.lowercasedString
                $0.email = user.email
                $0.name = user.name
                $0.roles = user.roles
                $0.active = user.active
            },
            correlationID: nil)
    }

    static func outboxTypes(_ client: PostgresClient) async throws -> [String] {
        try await client.query("SELECT event_type FROM outbox").map { try $0.required("event_type", $0.string) }
    }

    // MARK: Insert and find

    @Test func anInsertedUserReadsBackByIdAndEmailWithItsEventInTheOutbox() async throws {
        try await withStore { store, client in
            let ada = Self.user("ada@example.com", roles: ["customer", "staff"])
            let event = try Self.registered(ada)
            try await store.insert(ada, event: event)
            #expect(try await store.find(id: ada.id) == ada)
            #expect(try await store.find(email: "ada@example.com") == ada)

            let rows = try await client.query("SELECT id, event_type, payload, correlation_id FROM outbox")
            try #require(rows.count == 1)
            #expect(try rows[0].uuid("id") == event.id)
            #expect(try rows[0].string("event_type") == "user.registered")
            #expect(try rows[0].string("payload") == event.payload)
            #expect(try rows[0].string("correlation_id") == "request-1")

            let bob = Self.user("bob@example.com", name: "Bob", roles: [], active: false, createdAt: 5)
            try await store.insert(bob, event: try Self.registered(bob))
            #expect(try await store.find(id: bob.id) == bob)
            #expect(try await store.find(email: "bob@example.com") == bob)

            #expect(try await store.find(id: UUID()) == nil)
            #expect(try await store.find(email: "nobody@example.com") == nil)
        }
    }

    @Test func aTakenEmailIsRefusedAndItsEventIsNotWritten() async throws {
        try await withStore { store, client in
            let ada = Self.user("ada@example.com")
            try await store.insert(ada, event: try Self.registered(ada))
            let twin = Self.user("ada@example.com", name: "Twin")
            let error = await Fixtures.appError { try await store.insert(twin, event: try Self.registered(twin)) }
            #expect(error == UserRegistry.emailTaken)
            #expect(try await store.find(id: twin.id) == nil)
            #expect(try await store.find(email: "ada@example.com") == ada)
            #expect(try await Self.outboxTypes(client) == ["user.registered"])
        }
    }

    // MARK: Modify

    @Test func aTakenUsernameIsRefusedOnInsertAndOnChangeWhileUsersWithoutOneNeverCollide() async throws {
        try await withStore { store, client in
            var ada = Self.user("ada@example.com")
            ada.username = "ada"
            try await store.insert(ada, event: try Self.registered(ada))
            var twin = Self.user("twin@example.com")
            twin.username = "ada"
            #expect(await Fixtures.appError { try await store.insert(twin, event: try Self.registered(twin)) } == UserRegistry.usernameTaken)

            let bob = Self.user("bob@example.com")
            let carl = Self.user("carl@example.com")
            try await store.insert(bob, event: try Self.registered(bob))
            try await store.insert(carl, event: try Self.registered(carl))
            #expect(try await store.find(username: "ada") == ada)

            let takeAdasUsername: @Sendable (inout UserRecord, Int?) throws -> [DomainEvent] = { user, _ in
                user.username = "ada"
                return [try Self.updated(user)]
            }
            let error = await Fixtures.appError { _ = try await store.modify(id: bob.id, countingAdmins: false, takeAdasUsername) }
            #expect(error == UserRegistry.usernameTaken)
            #expect(try await store.find(id: bob.id)?.username == nil)
            #expect(try await Self.outboxTypes(client) == ["user.registered", "user.registered", "user.registered"])
        }
    }

    /// Eight registrations of one username, all past the registry's early check before any
    /// inserts: the unique index alone decides, and the losers learn which field was taken.
    @Test func racingRegistrationsOfOneUsernameLeaveOneUser() async throws {
        try await withStore { store, client in
            let gate = Gate()
            let registry = UserRegistry(
                store: GatedUsernameLookups(store: store, gate: gate), hasher: try await PasswordHasher(cost: 4, threads: 2))
            let attempts = Task {
                await withTaskGroup(of: Result<UserRecord, any Error>.self) { group in
                    for index in 0..<8 {
                        group.addTask {
                            do {
                                return .success(
                                    try await registry.register(
                                        email: "racer\(index)@example.com", password: "long enough", name: "Racer", username: "Racer"))
                            } catch {
                                return .failure(error)
                            }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
            }
            try await waitUntil("eight early username checks") { gate.arrived == 8 }
            gate.open()
            let results = await attempts.value
            #expect(results.filter { (try? $0.get()) != nil }.count == 1)
            let refusals = results.compactMap { result -> AppError? in
                if case .failure(let error) = result { error as? AppError } else { nil }
            }
            #expect(refusals == Array(repeating: UserRegistry.usernameTaken, count: 7))
            #expect(try await client.query("SELECT 1 FROM users WHERE username = 'racer'").count == 1)
            #expect(try await Self.outboxTypes(client) == ["user.registered"])
        }
    }

    @Test func aModificationWithAnEventStoresTheChangeAndTheEventTogether() async throws {
        try await withStore { store, client in
            let ada = Self.user("ada@example.com")
            try await store.insert(ada, event: try Self.registered(ada))
            let changedAt = Self.start.addingTimeInterval(60)
            let returned = try await store.modify(id: ada.id, countingAdmins: false) { user, _ in
                user.name = "Ada Lovelace"
                user.roles = ["staff"]
                user.active = false
                user.updatedAt = changedAt
                return [try Self.updated(user)]
            }
            var expected = ada
            expected.name = "Ada Lovelace"
            expected.roles = ["staff"]
            expected.active = false
            expected.updatedAt = changedAt
            #expect(returned == expected)
            #expect(try await store.find(id: ada.id) == expected)
            #expect(try await Self.outboxTypes(client).sorted() == ["user.registered", "user.updated"])
        }
    }

    @Test func concurrentModificationsOfOneUserLoseNoUpdate() async throws {
        try await withStore { store, client in
            let ada = Self.user("ada@example.com", name: "Ada")
            try await store.insert(ada, event: try Self.registered(ada))
            let id = ada.id
            let results = try await withThrowingTaskGroup(of: UserRecord?.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await store.modify(id: id, countingAdmins: false) { user, _ in
                            user.name += "x"
                            return [try Self.updated(user)]
                        }
                    }
                }
                return try await group.reduce(into: [UserRecord?]()) { $0.append($1) }
            }
            let names = results.compactMap { $0?.name }
            #expect(names.count == 20)
            // Each change saw the one before it, so no two returned the same name.
            #expect(Set(names).count == 20)
            #expect(try await store.find(id: id)?.name == "Ada" + String(repeating: "x", count: 20))
            #expect(try await Self.outboxTypes(client).filter { $0 == "user.updated" }.count == 20)
        }
    }

    @Test func aModificationWithoutEventsLeavesTheRowAndTheOutboxAlone() async throws {
        try await withStore { store, client in
            let ada = Self.user("ada@example.com")
            try await store.insert(ada, event: try Self.registered(ada))
            let returned = try await store.modify(id: ada.id, countingAdmins: false) { user, _ in
                user.name = "Not stored"
                return []
            }
            #expect(returned != nil)
            #expect(try await store.find(id: ada.id) == ada)
            #expect(try await Self.outboxTypes(client) == ["user.registered"])

            // The row lock was released with the transaction: the next change goes through.
            let next = try await store.modify(id: ada.id, countingAdmins: false) { user, _ in
                user.name = "Ada L."
                return [try Self.updated(user)]
            }
            #expect(next?.name == "Ada L.")
            #expect(try await store.find(id: ada.id)?.name == "Ada L.")
        }
    }

    @Test func modifyingAnUnknownUserFindsNothingAndNeverRunsTheChange() async throws {
        try await withStore { store, client in
            let calls = CallCounter()
            let result = try await store.modify(id: UUID(), countingAdmins: false) { user, _ in
                calls.increment()
                user.name = "Ghost"
                return [try Self.updated(user)]
            }
            #expect(result == nil)
            #expect(calls.count == 0)
            #expect(try await Self.outboxTypes(client).isEmpty)
        }
    }

    // MARK: List

    /// Five users in creation order; one email has an underscore, one a percent sign, one looks
    /// like the underscore one with any character in its place.
    static func insertListedUsers(_ store: PostgresUserStore) async throws {
        let users = [
            user("ada@example.com", roles: ["customer"], createdAt: 0),
            user("bob_smith@example.com", roles: ["customer", "staff"], createdAt: 1),
            user("bobxsmith@example.com", roles: ["customer"], createdAt: 2),
            user("dan%50@example.com", roles: ["staff"], createdAt: 3),
            user("eve@example.org", roles: ["admin"], active: false, createdAt: 4),
        ]
        for user in users { try await store.insert(user, event: try registered(user)) }
    }

    static func emails(
        _ store: PostgresUserStore, email: String? = nil, role: String? = nil, active: Bool? = nil
    ) async throws -> [String] {
        try await store.list(UserQuery(paging: try PageRequest(), email: email, role: role, active: active)).items.map(\.email)
    }

    @Test func theListFiltersByEmailSubstringRoleAndActivity() async throws {
        try await withStore { store, _ in
            try await Self.insertListedUsers(store)
            let all = [
                "ada@example.com", "bob_smith@example.com", "bobxsmith@example.com", "dan%50@example.com", "eve@example.org",
            ]
            #expect(try await Self.emails(store) == all)
            #expect(try await Self.emails(store, email: "EXAMPLE.COM") == Array(all.prefix(4)))
            #expect(try await Self.emails(store, email: "Ada@") == ["ada@example.com"])
            #expect(try await Self.emails(store, role: "staff") == ["bob_smith@example.com", "dan%50@example.com"])
            #expect(try await Self.emails(store, active: false) == ["eve@example.org"])
            #expect(try await Self.emails(store, active: true) == Array(all.prefix(4)))
            #expect(try await Self.emails(store, email: "bob", role: "customer", active: true) == Array(all[1...2]))
            #expect(try await Self.emails(store, email: "bob", role: "staff") == ["bob_smith@example.com"])
            #expect(try await Self.emails(store, email: "nobody").isEmpty)
            #expect(try await Self.emails(store, role: "admin", active: true).isEmpty)
        }
    }

    @Test func wildcardsInTheEmailFilterMatchOnlyThemselves() async throws {
        try await withStore { store, _ in
            try await Self.insertListedUsers(store)
            #expect(try await Self.emails(store, email: "_") == ["bob_smith@example.com"])
            #expect(try await Self.emails(store, email: "b_s") == ["bob_smith@example.com"])
            #expect(try await Self.emails(store, email: "%") == ["dan%50@example.com"])
            #expect(try await Self.emails(store, email: "N%5") == ["dan%50@example.com"])
            #expect(try await Self.emails(store, email: "ada%").isEmpty)
            // The escape character itself is matched literally too (and is no SQL error).
            #expect(try await Self.emails(store, email: "\\").isEmpty)
        }
    }

    @Test func pagesSplitTheMatchesAndEveryPageReportsTheTotal() async throws {
        try await withStore { store, _ in
            try await Self.insertListedUsers(store)
            func page(_ number: Int, size: Int = 2, role: String? = nil, email: String? = nil) async throws -> Page<UserRecord> {
                try await store.list(UserQuery(paging: try PageRequest(page: number, size: size), email: email, role: role))
            }

            let first = try await page(1)
            #expect(first.items.map(\.email) == ["ada@example.com", "bob_smith@example.com"])
            #expect(first.total == 5)
            #expect(first.request.page == 1)
            #expect(first.request.size == 2)
            let second = try await page(2)
            #expect(second.items.map(\.email) == ["bobxsmith@example.com", "dan%50@example.com"])
            #expect(second.total == 5)
            let last = try await page(3)
            #expect(last.items.map(\.email) == ["eve@example.org"])
            #expect(last.total == 5)

            // Past the end: no items, but still the total.
            let past = try await page(4)
            #expect(past.items.isEmpty)
            #expect(past.total == 5)
            let filteredPast = try await page(3, role: "customer")
            #expect(filteredPast.items.isEmpty)
            #expect(filteredPast.total == 3)
            let filtered = try await page(2, role: "customer")
            #expect(filtered.items.map(\.email) == ["bobxsmith@example.com"])
            #expect(filtered.total == 3)

            let nothing = try await page(1, email: "nobody")
            #expect(nothing.items.isEmpty)
            #expect(nothing.total == 0)
            let nothingLater = try await page(2, email: "nobody")
            #expect(nothingLater.items.isEmpty)
            #expect(nothingLater.total == 0)
        }
    }
}

/// A store whose username lookups wait at a gate, so the test decides when they answer.
private struct GatedUsernameLookups: UserStore {
    let store: PostgresUserStore
    let gate: Gate

    func find(username: String) async throws -> UserRecord? {
        await gate.pass()
        return try await store.find(username: username)
    }

    func insert(_ user: UserRecord, event: DomainEvent) async throws { try await store.insert(user, event: event) }
    func find(id: UUID) async throws -> UserRecord? { try await store.find(id: id) }
    func find(email: String) async throws -> UserRecord? { try await store.find(email: email) }
    func modify(
        id: UUID, countingAdmins: Bool,
        _ change: @escaping @Sendable (inout UserRecord, _ otherActiveAdmins: Int?) throws -> [DomainEvent]
    ) async throws -> UserRecord? {
        try await store.modify(id: id, countingAdmins: countingAdmins, change)
    }
    func list(_ query: UserQuery) async throws -> Page<UserRecord> { try await store.list(query) }
}
