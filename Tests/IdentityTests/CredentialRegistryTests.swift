import AuthService
import Contracts
import EventKit
import Foundation
import PasswordHashing
import PlatformCore
import SwiftProtobuf
import TestSupport
import Testing

@Suite("Credential registry")
struct CredentialRegistryTests {
    let store = InMemoryCredentialStore()
    let hasher: PasswordHasher
    let service: CredentialRegistry
    let handlers: EventHandlers
    let userID = UUID()
    let registeredAt = Date(timeIntervalSince1970: 1_800_000_000)

    init() async throws {
        hasher = try await PasswordHasher(cost: 4, threads: 2)
        service = CredentialRegistry(store: store, hasher: hasher)
        handlers = try authEventHandlers(credentials: service)
    }

    func registered(
        password: String = "the right password", email: String = "Ada@Example.com", user: UUID? = nil, id: UUID = UUID()
    ) async throws -> ReceivedEvent {
        let hash = try await hasher.hash(password)
        return try Fixtures.received(
            EventCatalog.userRegistered,
            .with {
                $0.userID = (user ?? userID).lowercasedString
                $0.email = email
                $0.name = "Ada"
                $0.roles = ["customer"]
                $0.passwordHash = hash
                $0.registeredAt = Google_Protobuf_Timestamp(date: registeredAt)
                $0.version = 1
            }, id: id)
    }

    func updated(roles: [String], active: Bool = true, version: Int64, user: UUID? = nil, id: UUID = UUID()) throws -> ReceivedEvent {
        let target = user ?? userID
        return try Fixtures.received(
            EventCatalog.userUpdated,
            .with {
                $0.userID = target.lowercasedString
                $0.email = "ada@example.com"
                $0.name = "Ada"
                $0.roles = roles
                $0.active = active
                $0.version = version
            }, id: id)
    }

    func deactivated(version: Int64 = 4, id: UUID = UUID()) throws -> ReceivedEvent {
        try Fixtures.received(
            EventCatalog.userDeactivated,
            .with {
                $0.userID = userID.lowercasedString
                $0.deactivatedAt = Google_Protobuf_Timestamp(date: registeredAt.addingTimeInterval(60))
                $0.version = version
            }, id: id)
    }

    @Test func theSameRegistrationDeliveredTwiceCreatesOneCredential() async throws {
        let event = try await registered()
        try await handlers.handle(event)
        try await handlers.handle(event)
        #expect(store.count == 1)
        let credential = try #require(try await store.find(userID: userID))
        #expect(credential.email == "ada@example.com")
        #expect(credential.roles == ["customer"])

        // The store knows the event id: applying it again reports a redelivery.
        let again = try await store.apply(.registered(credential), eventID: event.id, eventType: event.type)
        #expect(again == false)
    }

    @Test func aRedeliveredUpdateDoesNotUndoALaterUpdate() async throws {
        try await handlers.handle(try await registered())
        let first = try updated(roles: ["staff"], version: 2)
        try await handlers.handle(first)
        try await handlers.handle(try updated(roles: ["admin"], version: 3))
        // Neither the inbox nor the versions let the redelivery set the roles back to staff.
        try await handlers.handle(first)
        #expect(try await store.find(userID: userID)?.roles == ["admin"])
    }

    @Test func theRightPasswordVerifiesAndReturnsTheCredential() async throws {
        try await handlers.handle(try await registered())
        let credential = try await service.verify(email: " ADA@example.com ", password: "the right password")
        #expect(credential.userID == userID)
        #expect(credential.active)
    }

    @Test func aWrongPasswordAndAnUnknownEmailGiveTheSameError() async throws {
        try await handlers.handle(try await registered())
        let wrongPassword = await Fixtures.appError {
            _ = try await service.verify(email: "ada@example.com", password: "the wrong password")
        }
        let unknownEmail = await Fixtures.appError {
            _ = try await service.verify(email: "nobody@example.com", password: "the right password")
        }
        #expect(wrongPassword?.code == .unauthenticated)
        #expect(wrongPassword != nil && wrongPassword == unknownEmail)
    }

    @Test func anUpdateForAnUnknownUserIsUnavailableSoItIsRetried() async throws {
        let early = try updated(roles: ["staff"], version: 2)
        let error = await Fixtures.appError { try await handlers.handle(early) }
        #expect(error?.code == .unavailable)
        #expect(store.count == 0)

        // Once the registration arrived, the retried event applies: its id was not used up.
        try await handlers.handle(try await registered())
        try await handlers.handle(early)
        #expect(try await store.find(userID: userID)?.roles == ["staff"])
    }

    @Test func aDeactivationForAnUnknownUserIsUnavailable() async throws {
        let error = await Fixtures.appError { try await handlers.handle(try deactivated()) }
        #expect(error?.code == .unavailable)
    }

    @Test func anOlderUpdateDoesNotOverwriteANewerOne() async throws {
        try await handlers.handle(try await registered())
        try await handlers.handle(try updated(roles: ["admin"], version: 3))
        try await handlers.handle(try updated(roles: ["staff"], version: 2))
        let credential = try #require(try await store.find(userID: userID))
        #expect(credential.roles == ["admin"])
        #expect(credential.sourceVersion == 3)
    }

    @Test func aLateDeactivationDoesNotLockOutAUserReactivatedAfterIt() async throws {
        try await handlers.handle(try await registered())
        // The reactivation (version 5) arrives before the older deactivation (version 4).
        try await handlers.handle(try updated(roles: ["customer"], active: true, version: 5))
        try await handlers.handle(try deactivated(version: 4))
        #expect(try await store.find(userID: userID)?.active == true)
        _ = try await service.verify(email: "ada@example.com", password: "the right password")
    }

    @Test func aDeactivatedUserCanNoLongerLogIn() async throws {
        try await handlers.handle(try await registered())
        _ = try await service.verify(email: "ada@example.com", password: "the right password")
        try await handlers.handle(try deactivated())
        let error = await Fixtures.appError {
            _ = try await service.verify(email: "ada@example.com", password: "the right password")
        }
        #expect(error?.code == .unauthenticated)
        #expect(try await store.find(userID: userID)?.active == false)
    }

    @Test(arguments: [
        ("user.registered", "this is not json"),
        ("user.registered", #"{"userId":"not-a-uuid","email":"a@example.com","passwordHash":"$2b$04$x"}"#),
        ("user.registered", #"{"userId":"6f1c1c1e-8c36-4c41-9d3e-1b5c7c1a2b3c","email":"a@example.com","passwordHash":"plain"}"#),
        ("user.updated", #"{"userId":42}"#),
        ("user.deactivated", #"{"userId":""}"#),
        ("order.created", "{}"),
    ])
    func aMalformedEventIsRejected(type: String, json: String) async throws {
        let event = try Fixtures.received(type, json: json)
        await #expect(throws: EventRejected.self) { try await handlers.handle(event) }
        #expect(store.count == 0)
    }

    @Test func changingThePasswordWithAWrongCurrentOneIsInvalid() async throws {
        try await handlers.handle(try await registered())
        let error = await Fixtures.appError {
            try await service.changePassword(userID: userID.uuidString, current: "not my password", new: "a brand new password")
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details.keys.contains("current_password") == true)
        _ = try await service.verify(email: "ada@example.com", password: "the right password")
    }

    @Test func aNewPasswordMustSatisfyThePolicy() async throws {
        try await handlers.handle(try await registered())
        let error = await Fixtures.appError {
            try await service.changePassword(userID: userID.uuidString, current: "the right password", new: "short")
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details.keys.contains("new_password") == true)
    }

    @Test func afterAPasswordChangeOnlyTheNewPasswordVerifies() async throws {
        try await handlers.handle(try await registered())
        try await service.changePassword(userID: userID.uuidString, current: "the right password", new: "a brand new password")
        let credential = try await service.verify(email: "ada@example.com", password: "a brand new password")
        #expect(credential.userID == userID)
        let old = await Fixtures.appError {
            _ = try await service.verify(email: "ada@example.com", password: "the right password")
        }
        #expect(old?.code == .unauthenticated)
    }

    /// bcrypt reads at most 72 bytes and stops at a NUL: a candidate that only starts with the
    /// password must not match it (it did, before the policy applied at verification).
    @Test func aPasswordWithBytesBeyondWhatBcryptReadsDoesNotMatch() async throws {
        let exact = String(repeating: "p", count: 72)
        try await handlers.handle(try await registered(password: exact))
        _ = try await service.verify(email: "ada@example.com", password: exact)
        for candidate in [exact + "junk", exact + "\u{0}junk", "p\u{0}" + String(repeating: "p", count: 70)] {
            let error = await Fixtures.appError { _ = try await service.verify(email: "ada@example.com", password: candidate) }
            #expect(error == CredentialRegistry.invalidCredentials, "\(candidate.utf8.count) bytes")
        }

        let short = "short enough"
        let other = UUID()
        try await handlers.handle(try await registered(password: short, email: "nul@example.com", user: other))
        let withNul = await Fixtures.appError { _ = try await service.verify(email: "nul@example.com", password: short + "\u{0}x") }
        #expect(withNul == CredentialRegistry.invalidCredentials)
    }

    /// With one access token, wrong current passwords are throttled like logins: the sixth
    /// attempt is 429 even with the right password (it was an unthrottled oracle).
    @Test func wrongCurrentPasswordsAreThrottledLikeLogins() async throws {
        try await handlers.handle(try await registered())
        for index in 0..<5 {
            let wrong = await Fixtures.appError {
                try await service.changePassword(userID: userID.uuidString, current: "guess \(index)", new: "a brand new password")
            }
            #expect(wrong?.code == .invalidArgument)
        }
        let throttled = await Fixtures.appError {
            try await service.changePassword(userID: userID.uuidString, current: "the right password", new: "a brand new password")
        }
        #expect(throttled?.code == .resourceExhausted)
        #expect((throttled?.retryAfterSeconds ?? 0) > 0)
        // Logins are throttled elsewhere (idm); the password itself is unchanged.
        _ = try await service.verify(email: "ada@example.com", password: "the right password")
    }
}
