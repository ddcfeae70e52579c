import Contracts
import EventKit
import Foundation
@testable import GatewayService
import SwiftProtobuf
import TestSupport
import Testing

/// The gateway's event feed without a broker: its handlers, fed delivered events by hand, keep the
/// revocation list and the profile cache current; `synchronise()` loads idm's snapshot.
@Suite("Gateway event feed")
struct GatewayEventFeedTests {
    let revocations = RevocationList()
    let profiles = ProfileCache<OwnProfile>(ttl: .seconds(60))

    func makeFeed(snapshot: @escaping GatewayEventFeed.Snapshot = { [] }) throws -> GatewayEventFeed {
        try GatewayEventFeed(
            amqp: nil, instance: "test", revocations: revocations, profiles: profiles, logger: Fixtures.quietLogger,
            snapshot: snapshot)
    }

    /// An hour from now in whole seconds (the handler compares with the real clock).
    static func inAnHour() -> Date { Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3600).rounded(.down)) }

    static func sessionRevoked(_ sessionID: String, expiresAt: Date?) throws -> ReceivedEvent {
        try Fixtures.received(
            EventCatalog.sessionRevoked,
            .with {
                $0.sessionID = sessionID
                $0.userID = UUID().uuidString.lowercased()
                $0.reason = "logout"
                $0.revokedAt = Google_Protobuf_Timestamp(date: Date())
                if let expiresAt { $0.expiresAt = Google_Protobuf_Timestamp(date: expiresAt) }
            })
    }

    static func userEvent(_ type: String, userID: String) throws -> ReceivedEvent {
        if type == EventCatalog.userUpdated.name {
            return try Fixtures.received(
                EventCatalog.userUpdated,
                .with {
                    $0.userID = userID
                    $0.name = "Ada Lovelace"
                    $0.active = true
                })
        }
        return try Fixtures.received(EventCatalog.userDeactivated, .with { $0.userID = userID })
    }

    /// Reads `userID`'s profile through the cache, counting fetches.
    func read(_ userID: String, counting fetches: CallCounter) async throws {
        _ = try await profiles.profile(userID) {
            fetches.increment()
            var user = User_V1_User()
            user.id = userID
            return OwnProfile(user: user)
        }
    }

    // MARK: session.revoked

    @Test func aSessionRevokedEventRevokesTheSessionUntilItsExpiry() async throws {
        let feed = try makeFeed()
        let sessionID = UUID().uuidString
        let expiry = Self.inAnHour()
        try await feed.handlers.handle(try Self.sessionRevoked(sessionID, expiresAt: expiry))
        #expect(revocations.isRevoked(sessionID.lowercased()))
        #expect(revocations.isRevoked(sessionID, now: expiry.addingTimeInterval(-1)))
        #expect(!revocations.isRevoked(sessionID, now: expiry))
        #expect(!revocations.isRevoked(UUID().uuidString))
        #expect(revocations.count == 1)
    }

    @Test func aSessionRevokedEventWithoutSessionOrExpiryIsRejected() async throws {
        let feed = try makeFeed()
        let withoutSession = try Self.sessionRevoked("", expiresAt: Self.inAnHour())
        let withoutExpiry = try Self.sessionRevoked(UUID().uuidString.lowercased(), expiresAt: nil)
        await #expect(throws: EventRejected.self) { try await feed.handlers.handle(withoutSession) }
        await #expect(throws: EventRejected.self) { try await feed.handlers.handle(withoutExpiry) }
        #expect(revocations.count == 0)
    }

    @Test func aRevocationThatHasAlreadyExpiredIsAcceptedButNotKept() async throws {
        let feed = try makeFeed()
        let sessionID = UUID().uuidString.lowercased()
        try await feed.handlers.handle(try Self.sessionRevoked(sessionID, expiresAt: Date().addingTimeInterval(-60)))
        #expect(!revocations.isRevoked(sessionID))
        #expect(revocations.count == 0)
    }

    // MARK: user.updated and user.deactivated

    @Test(arguments: ["user.updated", "user.deactivated"])
    func aUserEventDropsThatUsersCachedProfile(type: String) async throws {
        let feed = try makeFeed()
        let userID = UUID().uuidString.lowercased()
        let otherID = UUID().uuidString.lowercased()
        let fetches = CallCounter()
        for id in [userID, otherID, userID, otherID] { try await read(id, counting: fetches) }
        try #require(fetches.count == 2)

        try await feed.handlers.handle(try Self.userEvent(type, userID: userID.uppercased()))
        try await read(userID, counting: fetches)
        #expect(fetches.count == 3)
        // Another user's entry stays.
        try await read(otherID, counting: fetches)
        #expect(fetches.count == 3)
    }

    // MARK: Synchronisation and bindings

    @Test func synchroniseLoadsTheSnapshotIntoTheRevocationList() async throws {
        let expiry = Self.inAnHour()
        let feed = try makeFeed { [(sessionID: "SESSION-1", expiresAt: expiry), (sessionID: "session-2", expiresAt: expiry)] }
        #expect(!revocations.isRevoked("session-1"))
        try await feed.synchronise()
        #expect(revocations.isRevoked("session-1"))
        #expect(revocations.isRevoked("session-2"))
        #expect(!revocations.isRevoked("session-2", now: expiry))
        #expect(!revocations.isRevoked("session-3"))
        #expect(revocations.count == 2)
    }

    @Test func aFailingSnapshotFailsSynchronise() async throws {
        let feed = try makeFeed { throw TestFailure("idm is unavailable") }
        await #expect(throws: TestFailure.self) { try await feed.synchronise() }
        #expect(revocations.count == 0)
    }

    @Test func theFeedBindsExactlyTheEventsItHandles() throws {
        let feed = try makeFeed()
        #expect(feed.handlers.bindingKeys == ["session.revoked", "user.deactivated", "user.updated"])
        #expect(feed.handlers.service == "gateway")
    }

    @Test func anEventTheFeedDoesNotHandleIsRejected() async throws {
        let feed = try makeFeed()
        let event = try Fixtures.received(EventCatalog.userRegistered, .with { $0.userID = UUID().uuidString.lowercased() })
        await #expect(throws: EventRejected.self) { try await feed.handlers.handle(event) }
    }

    @Test func withoutABrokerTheFeedConsumesNothingAndRunReturns() async throws {
        let feed = try makeFeed()
        #expect(!feed.consumesEvents)
        try await feed.run()
    }
}

/// The session ids the gateway refuses, each until its tokens would have expired anyway.
@Suite("Revocation list")
struct RevocationListTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func anEntryIsKeptUntilItsTimeAndDroppedAfterwards() {
        let list = RevocationList()
        let now = Self.now
        list.revoke("session-a", until: now.addingTimeInterval(60), now: now)
        #expect(list.isRevoked("session-a", now: now.addingTimeInterval(59.5)))
        #expect(!list.isRevoked("session-a", now: now.addingTimeInterval(60)))

        // Expired entries leave the list: after a thousand that expired, it holds no more than the live ones
        // plus what it lets pile up between tidy-ups.
        for index in 0..<1000 { list.revoke("expired-\(index)", until: now.addingTimeInterval(30), now: now) }
        let later = now.addingTimeInterval(120)
        for index in 0..<300 { list.revoke("live-\(index)", until: later.addingTimeInterval(600), now: later) }
        #expect(list.count < 1000)
        #expect((0..<300).allSatisfy { list.isRevoked("live-\($0)", now: later) })
        #expect(!list.isRevoked("expired-0", now: later))
    }

    @Test func repeatedRevocationsKeepTheLaterTime() {
        let list = RevocationList()
        let now = Self.now
        list.revoke("session-a", until: now.addingTimeInterval(10), now: now)
        list.revoke("session-a", until: now.addingTimeInterval(100), now: now)
        #expect(list.isRevoked("session-a", now: now.addingTimeInterval(50)))
        list.revoke("SESSION-A", until: now.addingTimeInterval(20), now: now)
        #expect(list.isRevoked("session-a", now: now.addingTimeInterval(99)))
        #expect(!list.isRevoked("session-a", now: now.addingTimeInterval(100)))
        #expect(list.count == 1)
    }
}
