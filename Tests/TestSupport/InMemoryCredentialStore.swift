import AuthService
import Foundation
import PlatformCore
import Synchronization

/// A `CredentialStore` in memory, for tests.
public final class InMemoryCredentialStore: CredentialStore {
    private struct State {
        var credentials: [UUID: Credential] = [:]
        var inbox: Set<UUID> = []
    }

    private let state = Mutex(State())

    public init() {}

    public var count: Int { state.withLock { $0.credentials.count } }

    public func apply(_ change: CredentialChange, eventID: UUID, eventType: String) async throws -> Bool {
        try state.withLock { state in
            guard !state.inbox.contains(eventID) else { return false }
            var credentials = state.credentials
            try change.apply(to: &credentials)
            state.credentials = credentials
            state.inbox.insert(eventID)
            return true
        }
    }

    public func find(email: String) async throws -> Credential? {
        state.withLock { $0.credentials.values.first { $0.email.utf8.elementsEqual(email.utf8) } }
    }

    public func find(userID: UUID) async throws -> Credential? { state.withLock { $0.credentials[userID] } }

    public func setPasswordHash(_ hash: String, userID: UUID) async throws {
        state.withLock { $0.credentials[userID]?.passwordHash = hash }
    }
}

extension CredentialChange {
    /// The same rules as the Postgres store's SQL, on a dictionary.
    func apply(to credentials: inout [UUID: Credential]) throws {
        switch self {
        case .registered(let credential):
            if credentials[credential.userID] == nil { credentials[credential.userID] = credential }
        case .updated(let userID, let email, let roles, let active, let version):
            guard var credential = credentials[userID] else { throw CredentialChange.userNotYetKnown }
            guard version > credential.sourceVersion else { return }
            credential.email = email
            credential.roles = roles
            credential.active = active
            credential.sourceVersion = version
            credentials[userID] = credential
        case .deactivated(let userID, let version):
            guard var credential = credentials[userID] else { throw CredentialChange.userNotYetKnown }
            guard version > credential.sourceVersion else { return }
            credential.active = false
            credential.sourceVersion = version
            credentials[userID] = credential
        }
    }
}
