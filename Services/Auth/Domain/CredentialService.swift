import Contracts
import EventKit
import Foundation
import PasswordHashing
import PlatformCore

/// Verifies passwords, changes them, and keeps the credentials in step with user events.
public struct CredentialService: Sendable {
    private let store: any CredentialStore
    private let hasher: PasswordHasher

    public init(store: any CredentialStore, hasher: PasswordHasher) {
        self.store = store
        self.hasher = hasher
    }

    /// Wrong password, unknown email and deactivated account give the same error, after the same work.
    public func verify(email: String, password: String) async throws -> Credential {
        let email = EmailAddress.normalized(email)
        guard let credential = try await store.find(email: email) else {
            try await hasher.spendVerificationTime(password)
            throw Self.invalidCredentials
        }
        guard try await hasher.verify(password, against: credential.passwordHash), credential.active else {
            throw Self.invalidCredentials
        }
        return credential
    }

    public func changePassword(userID: String, current: String, new: String) async throws {
        guard let id = UUID(uuidString: userID), let credential = try await store.find(userID: id), credential.active else {
            throw AppError(.notFound, "no such account")
        }
        if let problem = PasswordPolicy.problem(with: new) {
            throw AppError(.invalidArgument, "the new password is not acceptable", details: ["new_password": problem])
        }
        guard try await hasher.verify(current, against: credential.passwordHash) else {
            throw AppError(.invalidArgument, "the current password is wrong", details: ["current_password": "does not match"])
        }
        try await store.setPasswordHash(try await hasher.hash(new), userID: id)
    }

    public func account(userID: String) async throws -> Credential {
        guard let id = UUID(uuidString: userID), let credential = try await store.find(userID: id) else {
            throw AppError(.notFound, "no such account")
        }
        return credential
    }

    /// Applies one user event exactly once. Malformed events are rejected (dead-lettered).
    public func handle(_ event: ReceivedEvent) async throws {
        let change: CredentialChange
        switch event.type {
        case "user.registered":
            let payload = try event.decode(Events_V1_UserRegistered.self)
            guard let id = UUID(uuidString: payload.userID), payload.passwordHash.hasPrefix("$2"), !payload.email.isEmpty else {
                throw EventRejected("user.registered needs a user id, an email and a bcrypt hash")
            }
            change = .registered(
                Credential(
                    userID: id, email: EmailAddress.normalized(payload.email), passwordHash: payload.passwordHash,
                    roles: payload.roles, active: true, sourceUpdatedAt: payload.registeredAt.date))
        case "user.updated":
            let payload = try event.decode(Events_V1_UserUpdated.self)
            guard let id = UUID(uuidString: payload.userID) else { throw EventRejected("user.updated needs a user id") }
            change = .updated(
                userID: id, email: EmailAddress.normalized(payload.email), roles: payload.roles, active: payload.active,
                at: payload.updatedAt.date)
        case "user.deactivated":
            let payload = try event.decode(Events_V1_UserDeactivated.self)
            guard let id = UUID(uuidString: payload.userID) else { throw EventRejected("user.deactivated needs a user id") }
            change = .deactivated(userID: id, at: payload.deactivatedAt.date)
        default:
            throw EventRejected("auth does not handle '\(event.type)'")
        }
        _ = try await store.apply(change, eventID: event.id, eventType: event.type)
    }

    static let invalidCredentials = AppError(.unauthenticated, "invalid email or password")
}
