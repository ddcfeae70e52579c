import Contracts
import EventKit
import Foundation
import TestSupport
import Testing

@Suite("Event handlers")
struct EventHandlersTests {
    @Test func theQueueBindsExactlyTheHandledTypes() throws {
        var handlers = EventHandlers(service: "gateway")
        try handlers.on(EventCatalog.userUpdated) { _, _ in }
        try handlers.on(EventCatalog.sessionRevoked) { _, _ in }
        #expect(handlers.bindingKeys == ["session.revoked", "user.updated"])
    }

    @Test func eachEventReachesTheHandlerOfItsTypeDecoded() async throws {
        let seen = Locked<[String]>([])
        var handlers = EventHandlers(service: "gateway")
        try handlers.on(EventCatalog.userUpdated) { payload, event in seen.update { $0.append("updated \(payload.userID) \(event.type)") } }
        try handlers.on(EventCatalog.userDeactivated) { payload, _ in seen.update { $0.append("deactivated \(payload.userID)") } }
        try await handlers.handle(try Fixtures.received(EventCatalog.userDeactivated, .with { $0.userID = "b" }))
        try await handlers.handle(try Fixtures.received(EventCatalog.userUpdated, .with { $0.userID = "a" }))
        #expect(seen.value == ["deactivated b", "updated a user.updated"])
    }

    @Test func anUnhandledTypeOrABadPayloadIsRejected() async throws {
        var handlers = EventHandlers(service: "idm")
        try handlers.on(EventCatalog.userDeactivated) { _, _ in }
        await #expect(throws: EventRejected.self) {
            try await handlers.handle(try Fixtures.received(EventCatalog.userUpdated, .with { $0.userID = "a" }))
        }
        await #expect(throws: EventRejected.self) {
            try await handlers.handle(try Fixtures.received("user.deactivated", json: "[1, 2"))
        }
    }

    /// `user.registered` carries a password hash: only auth's queue may bind it.
    @Test func aRestrictedEventCannotBeBoundByAnotherService() throws {
        var gateway = EventHandlers(service: "gateway")
        #expect(throws: EventCatalogError.self) { try gateway.on(EventCatalog.userRegistered) { _, _ in } }
        #expect(gateway.bindingKeys.isEmpty)
        var auth = EventHandlers(service: "auth")
        try auth.on(EventCatalog.userRegistered) { _, _ in }
        #expect(auth.bindingKeys == ["user.registered"])
    }

    @Test func aTypeCannotHaveTwoHandlers() throws {
        var handlers = EventHandlers(service: "idm")
        try handlers.on(EventCatalog.userDeactivated) { _, _ in }
        #expect(throws: EventCatalogError.self) { try handlers.on(EventCatalog.userDeactivated) { _, _ in } }
    }
}
