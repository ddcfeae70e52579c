import EventKit
import FoundationEssentials
import PasswordHashing
import PlatformCore

/// Verifies passwords, changes them, and keeps the credentials in step with user events.
public struct CredentialRegistry: Sendable {
    private let store: any CredentialStore
    private let hasher: PasswordHasher
    /// Wrong current passwords of a password change, per account: the change is a password check
    /// like a login, throttled like one (429), so one access token cannot try passwords forever.
    private let passwordChecks: any AttemptThrottling

    public init(
        store: any CredentialStore, hasher: PasswordHasher,
        passwordChecks: any AttemptThrottling = AttemptThrottle(limits: .init(perAccount: 5, concurrentPerAccount: 1))
    ) {
        self.store = store
        self.hasher = hasher
        self.passwordChecks = passwordChecks
    }

    /// Wrong password, unknown email, deactivated account and a password no stored one can be
    /// (`PasswordPolicy.mayMatch`) give the same error, after the same work.
    public func verify(email: String, password: String) async throws -> Credential {
        let email = EmailAddress.normalized(email)
        guard let credential = try await store.find(email: email), PasswordPolicy.mayMatch(password) else {
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
        let attempt = try await passwordChecks.begin(account: id.lowercasedString, address: "")
        let matches: Bool
        do {
            matches = PasswordPolicy.mayMatch(current) ? try await hasher.verify(current, against: credential.passwordHash) : false
        } catch {
            await passwordChecks.abandoned(attempt)
            throw error
        }
        guard matches else {
            await passwordChecks.failed(attempt)
            throw AppError(.invalidArgument, "the current password is wrong", details: ["current_password": "does not match"])
        }
        await passwordChecks.succeeded(attempt)
        try await store.setPasswordHash(try await hasher.hash(new), userID: id)
    }

    public func account(userID: String) async throws -> Credential {
        guard let id = UUID(uuidString: userID), let credential = try await store.find(userID: id) else {
            throw AppError(.notFound, "no such account")
        }
        return credential
    }

    /// Applies the effect of one user event, exactly once per event id.
    public func apply(_ change: CredentialChange, from event: ReceivedEvent) async throws {
        _ = try await store.apply(change, eventID: event.id, eventType: event.type)
    }

    public static let invalidCredentials = AppError(.unauthenticated, "invalid email or password")
}
