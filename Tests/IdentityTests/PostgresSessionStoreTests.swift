import Contracts
import DatabaseKit
import EventKit
import Foundation
import IDMService
import PlatformCore
import Postgres
import SwiftProtobuf
import TestSupport
import Testing

/// `PostgresSessionStore` against the live server: refresh-token rotation with exactly one winner,
/// reuse detection, and revocations whose `session.revoked` events commit with them.
@Suite("Postgres session store", .needs(.postgres))
struct PostgresSessionStoreTests {
    /// Whole seconds, so times survive Postgres' microseconds exactly.
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    let userID = UUID()

    static let revocationEvent: RevocationEvent = { session, reason in
        try DomainEvent(
            EventCatalog.sessionRevoked,
            .with {
                $0.sessionID = session.id.lowercasedString
                $0.userID = session.userID.lowercasedString
                $0.reason = reason
            },
            correlationID: nil)
    }

    func withStore<T>(_ body: (PostgresSessionStore, PostgresClient) async throws -> T) async throws -> T {
        let migrations = try ServiceSchemas.migrations(of: "IDM", eventTables: .init(outbox: true, inbox: true))
        return try await TestPostgres.withSchema(migrations: migrations, maxConnections: 8) { client in
            try await body(PostgresSessionStore(client: client), client)
        }
    }

    /// `seconds` after `start`.
    static func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    /// A refresh token hash: arbitrary bytes, including a zero byte and a backslash.
    static func hash(_ token: String) -> [UInt8] { [0x00, 0xff, 0x5c] + Array(token.utf8) }

    /// A session of the test's user (or of `owner`), its times in seconds after `start`; it expires after 30 days.
    func session(
        of owner: UUID? = nil, email: String = "ada@example.com", roles: [String] = ["customer"],
        createdAt created: TimeInterval = 0, lastSeenAt seen: TimeInterval? = nil, expiresAt expiry: TimeInterval = 2_592_000
    ) -> SessionRecord {
        SessionRecord(
            id: UUID(), userID: owner ?? userID, email: email, roles: roles, clientAddress: "203.0.113.7",
            userAgent: "tests/1.0 \"quoted\"", createdAt: Self.at(created), lastSeenAt: Self.at(seen ?? created),
            refreshExpiresAt: Self.at(expiry))
    }

    /// Creates each session with the refresh token named by its id.
    static func create(_ sessions: SessionRecord..., in store: PostgresSessionStore) async throws {
        for session in sessions { try await store.create(session, refreshHash: hash(session.id.uuidString)) }
    }

    /// Rotates a token of the test's user, auth reporting it active with `roles`.
    func rotate(
        _ store: PostgresSessionStore, _ token: String, to next: String, at seconds: TimeInterval, roles: [String] = ["customer"]
    ) async throws -> RotationResult {
        try await store.rotate(
            hash: Self.hash(token), newHash: Self.hash(next),
            account: AccountInfo(userID: userID, email: "ada@example.com", roles: roles, active: true), now: Self.at(seconds),
            revocationEvent: Self.revocationEvent)
    }

    static func revoke(
        _ target: RevocationTarget, at seconds: TimeInterval, in store: PostgresSessionStore, handling event: ReceivedEvent? = nil
    ) async throws -> [SessionRecord]? {
        try await store.revoke(target, reason: "test", at: at(seconds), handledEvent: event, revocationEvent: revocationEvent)
    }

    static func count(_ table: String, _ client: PostgresClient) async throws -> Int {
        try #require(try await client.query("SELECT count(*) AS n FROM \(table)").first?.int("n"))
    }

    static func outboxTypes(_ client: PostgresClient) async throws -> [String] {
        try await client.query("SELECT event_type FROM outbox").map { try $0.required("event_type", $0.string) }
    }

    /// The session ids the outbox's `session.revoked` events name.
    static func revokedInOutbox(_ client: PostgresClient) async throws -> [String] {
        try await client.query("SELECT payload FROM outbox WHERE event_type = 'session.revoked'").map { row in
            try Events_V1_SessionRevoked(jsonString: try row.required("payload", row.string)).sessionID
        }
    }

    static func spentAt(_ hash: [UInt8], _ client: PostgresClient) async throws -> Date? {
        let row = try #require(
            try await client.query("SELECT spent_at FROM refresh_tokens WHERE token_hash = $1", [.bytes(hash)]).first)
        return try row.date("spent_at")
    }

    // MARK: Create and read

    @Test func aCreatedSessionReadsBackWholeByIdAndByItsRefreshToken() async throws {
        try await withStore { store, _ in
            let created = session(roles: ["customer", "staff"], createdAt: 0, lastSeenAt: 5)
            try await store.create(created, refreshHash: Self.hash("first"))
            #expect(try await store.find(id: created.id) == created)
            #expect(try await store.session(refreshHash: Self.hash("first")) == created)

            let withoutRoles = session(of: UUID(), email: "bob@example.com", roles: [], createdAt: 10)
            try await store.create(withoutRoles, refreshHash: Self.hash("second"))
            #expect(try await store.find(id: withoutRoles.id) == withoutRoles)
            #expect(try await store.session(refreshHash: Self.hash("second")) == withoutRoles)

            #expect(try await store.session(refreshHash: Self.hash("unknown")) == nil)
            #expect(try await store.find(id: UUID()) == nil)
        }
    }

    // MARK: Rotation

    @Test func rotatingTheCurrentTokenSpendsItAndMakesTheNewOneCurrent() async throws {
        try await withStore { store, client in
            let created = session()
            try await store.create(created, refreshHash: Self.hash("first"))

            let result = try await rotate(store, "first", to: "second", at: 600, roles: ["customer", "staff"])
            var expected = created
            expected.roles = ["customer", "staff"]
            expected.lastSeenAt = Self.at(600)
            #expect(result == .rotated(expected))
            #expect(try await store.find(id: created.id) == expected)
            #expect(try await Self.spentAt(Self.hash("first"), client) == Self.at(600))
            #expect(try await Self.spentAt(Self.hash("second"), client) == nil)
            #expect(try await store.session(refreshHash: Self.hash("second")) == expected)
            // The spent token still names its session: that is how reuse is told from an unknown token.
            #expect(try await store.session(refreshHash: Self.hash("first"))?.id == created.id)
            #expect(try await Self.outboxTypes(client).isEmpty)

            // The new token is current in turn.
            let next = try await rotate(store, "second", to: "third", at: 1200)
            expected.roles = ["customer"]
            expected.lastSeenAt = Self.at(1200)
            #expect(next == .rotated(expected))
            #expect(try await Self.count("refresh_tokens", client) == 3)
        }
    }

    @Test func presentingASpentTokenRevokesTheSessionAndWritesOneEvent() async throws {
        try await withStore { store, client in
            let created = session()
            try await store.create(created, refreshHash: Self.hash("first"))
            var rotated = created
            rotated.lastSeenAt = Self.at(600)
            try #require(try await rotate(store, "first", to: "second", at: 600) == .rotated(rotated))

            let reuse = try await rotate(store, "first", to: "stolen", at: 900, roles: ["admin"])
            var revoked = rotated
            revoked.revokedAt = Self.at(900)
            #expect(reuse == .reused(revoked))
            #expect(try await store.find(id: created.id) == revoked)
            #expect(try await Self.outboxTypes(client) == ["session.revoked"])
            #expect(try await Self.revokedInOutbox(client) == [created.id.lowercasedString])
            #expect(try await store.session(refreshHash: Self.hash("stolen")) == nil)

            // The session is dead: its current token is refused, and the spent one changes nothing more.
            #expect(try await rotate(store, "second", to: "third", at: 960) == .rejected)
            #expect(try await rotate(store, "first", to: "fourth", at: 990) == .rejected)
            #expect(try await Self.outboxTypes(client) == ["session.revoked"])
            #expect(try await store.find(id: created.id)?.revokedAt == Self.at(900))
        }
    }

    @Test func anUnknownTokenOrOneOfAnExpiredOrRevokedSessionIsRejected() async throws {
        try await withStore { store, client in
            #expect(try await rotate(store, "unknown", to: "next", at: 60) == .rejected)

            let expiring = session(expiresAt: 100)
            try await store.create(expiring, refreshHash: Self.hash("expiring"))
            #expect(try await rotate(store, "expiring", to: "expiring-next", at: 100) == .rejected)
            #expect(try await Self.spentAt(Self.hash("expiring"), client) == nil)
            #expect(try await store.find(id: expiring.id) == expiring)

            let revoked = session()
            try await store.create(revoked, refreshHash: Self.hash("revoked"))
            _ = try await Self.revoke(.session(revoked.id, ownedBy: nil), at: 30, in: store)
            #expect(try await rotate(store, "revoked", to: "revoked-next", at: 60) == .rejected)
            #expect(try await Self.spentAt(Self.hash("revoked"), client) == nil)

            #expect(try await Self.count("refresh_tokens", client) == 2)
            // Only the revocation's own event: a rejection writes none.
            #expect(try await Self.outboxTypes(client) == ["session.revoked"])
        }
    }

    @Test func concurrentRotationsOfOneTokenHaveExactlyOneWinner() async throws {
        try await withStore { store, client in
            let created = session()
            try await store.create(created, refreshHash: Self.hash("first"))
            let results = try await withThrowingTaskGroup(of: RotationResult.self) { group in
                for index in 0..<8 {
                    group.addTask { try await self.rotate(store, "first", to: "next-\(index)", at: 600) }
                }
                return try await group.reduce(into: [RotationResult]()) { $0.append($1) }
            }
            let outcomes = results.map(\.outcome)
            #expect(outcomes.count == 8)
            #expect(outcomes.filter { $0 == "rotated" }.count == 1)
            #expect(outcomes.allSatisfy { ["rotated", "reused", "rejected"].contains($0) })
            // The rows are locked, so every loser runs after the winner committed: the first one sees a
            // spent token (reuse, the session is revoked), the later ones a revoked session.
            #expect(outcomes.filter { $0 == "reused" }.count == 1)
            #expect(outcomes.filter { $0 == "rejected" }.count == 6)

            // Only the winner's new token was added, and one revocation was written.
            #expect(try await Self.count("refresh_tokens", client) == 2)
            #expect(try await Self.outboxTypes(client) == ["session.revoked"])
            #expect(try await store.find(id: created.id)?.revokedAt == Self.at(600))
        }
    }

    // MARK: Revocation

    @Test func revokingASessionOnBehalfOfAnotherUserRevokesNothing() async throws {
        try await withStore { store, client in
            let mine = session()
            try await Self.create(mine, in: store)
            let refused = try #require(try await Self.revoke(.session(mine.id, ownedBy: UUID()), at: 60, in: store))
            #expect(refused.isEmpty)
            #expect(try await store.find(id: mine.id)?.revokedAt == nil)
            #expect(try await Self.outboxTypes(client).isEmpty)

            let revoked = try await Self.revoke(.session(mine.id, ownedBy: userID), at: 60, in: store)
            var expected = mine
            expected.revokedAt = Self.at(60)
            #expect(revoked == [expected])
            #expect(try await Self.revokedInOutbox(client) == [mine.id.lowercasedString])

            // A revoked session is not revoked again: no second event, and the first time stays.
            let again = try #require(try await Self.revoke(.session(mine.id, ownedBy: nil), at: 120, in: store))
            #expect(again.isEmpty)
            #expect(try await store.find(id: mine.id)?.revokedAt == Self.at(60))
            #expect(try await Self.outboxTypes(client).count == 1)
        }
    }

    @Test func revokingAUsersSessionsSparesTheExceptedOneAndWritesAnEventPerRevokedSession() async throws {
        try await withStore { store, client in
            let kept = session()
            let first = session()
            let second = session()
            let stranger = session(of: UUID(), email: "bob@example.com")
            try await Self.create(kept, first, second, stranger, in: store)

            let revoked = try #require(try await Self.revoke(.user(userID, except: kept.id), at: 60, in: store))
            #expect(Set(revoked.map(\.id)) == Set([first.id, second.id]))
            #expect(revoked.allSatisfy { $0.revokedAt == Self.at(60) })
            #expect(try await store.find(id: kept.id)?.revokedAt == nil)
            #expect(try await store.find(id: stranger.id)?.revokedAt == nil)
            #expect(try await Self.outboxTypes(client) == ["session.revoked", "session.revoked"])
            #expect(try await Set(Self.revokedInOutbox(client)) == Set([first.id.lowercasedString, second.id.lowercasedString]))

            // Without an exception the rest goes too, and only the rest gets events.
            let rest = try await Self.revoke(.user(userID, except: nil), at: 120, in: store)
            #expect(rest?.map(\.id) == [kept.id])
            #expect(try await Self.outboxTypes(client).count == 3)
        }
    }

    @Test func anEventHandledTwiceRevokesOnlyTheFirstTime() async throws {
        try await withStore { store, client in
            let one = session()
            let two = session()
            try await Self.create(one, two, in: store)
            let event = try Fixtures.received(EventCatalog.userDeactivated, .with { $0.userID = userID.lowercasedString })

            let first = try await Self.revoke(.user(userID, except: nil), at: 60, in: store, handling: event)
            #expect(first?.count == 2)

            // A session created since would be revoked by a second application, so a redelivery must not apply.
            let later = session(createdAt: 90)
            try await Self.create(later, in: store)
            let second = try await Self.revoke(.user(userID, except: nil), at: 120, in: store, handling: event)
            #expect(second == nil)
            #expect(try await store.find(id: later.id)?.revokedAt == nil)
            #expect(try await Self.outboxTypes(client).count == 2)
            #expect(try await Self.count("inbox", client) == 1)
        }
    }

    // MARK: Queries

    @Test func activeSessionsLeaveOutRevokedAndExpiredOnesNewestLastSeenFirst() async throws {
        try await withStore { store, _ in
            let older = session(lastSeenAt: 10)
            let newest = session(lastSeenAt: 30)
            let middle = session(lastSeenAt: 20)
            let revoked = session(lastSeenAt: 40)
            let expiring = session(lastSeenAt: 50, expiresAt: 100)
            let stranger = session(of: UUID(), email: "bob@example.com", lastSeenAt: 60)
            try await Self.create(older, newest, middle, revoked, expiring, stranger, in: store)
            _ = try await Self.revoke(.session(revoked.id, ownedBy: nil), at: 70, in: store)

            let active = try await store.activeSessions(userID: userID, now: Self.at(100))
            #expect(active.map(\.id) == [newest.id, middle.id, older.id])
            #expect(active.first == newest)
            let beforeExpiry = try await store.activeSessions(userID: userID, now: Self.at(99))
            #expect(beforeExpiry.map(\.id) == [expiring.id, newest.id, middle.id, older.id])
            #expect(try await store.activeSessions(userID: UUID(), now: Self.at(100)).isEmpty)
        }
    }

    @Test func theLastLoginIsTheNewestSessionOfTheEmail() async throws {
        try await withStore { store, _ in
            let offsets: [TimeInterval] = [0, 500, 200]
            for offset in offsets { try await Self.create(session(createdAt: offset), in: store) }
            try await Self.create(session(of: UUID(), email: "bob@example.com", createdAt: 900), in: store)

            #expect(try await store.lastLogin(email: "ada@example.com") == Self.at(500))
            #expect(try await store.lastLogin(email: "bob@example.com") == Self.at(900))
            #expect(try await store.lastLogin(email: "nobody@example.com") == nil)
        }
    }

    @Test func revokedSessionsSinceAnInstantIncludeThatInstant() async throws {
        try await withStore { store, _ in
            let early = session()
            let late = session()
            let active = session()
            try await Self.create(early, late, active, in: store)
            _ = try await Self.revoke(.session(early.id, ownedBy: nil), at: 100, in: store)
            _ = try await Self.revoke(.session(late.id, ownedBy: nil), at: 200, in: store)

            let sinceLate = try await store.revokedSessions(since: Self.at(150))
            #expect(sinceLate.map { $0.id } == [late.id])
            #expect(sinceLate.map { $0.revokedAt } == [Self.at(200)])

            let sinceEarly = try await store.revokedSessions(since: Self.at(100))
            let expected: [UUID: Date] = [early.id: Self.at(100), late.id: Self.at(200)]
            #expect(Dictionary(uniqueKeysWithValues: sinceEarly.map { ($0.id, $0.revokedAt) }) == expected)

            #expect(try await store.revokedSessions(since: Self.at(201)).isEmpty)
        }
    }
}

extension RotationResult {
    /// The case alone, to count outcomes.
    fileprivate var outcome: String {
        switch self {
        case .rotated: "rotated"
        case .reused: "reused"
        case .ended: "ended"
        case .rejected: "rejected"
        }
    }
}

extension PostgresSessionStore {
    /// Opens `session` as a login that verified it just now, with its own roles.
    func create(_ session: SessionRecord, refreshHash: [UInt8]) async throws {
        let account = AccountInfo(userID: session.userID, email: session.email, roles: session.roles, active: true)
        var opened = try await open(session, refreshHash: refreshHash, account: account, epoch: try await currentEpoch())
        // It opens under the user's current epoch.
        opened?.epoch = session.epoch
        #expect(opened == session)
    }
}
