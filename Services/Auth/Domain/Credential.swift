import FoundationEssentials
import PlatformCore

/// What auth knows about a user: the login email, the bcrypt hash, and copies of the roles and
/// the active flag that the user service owns (kept current by user events).
public struct Credential: Sendable, Equatable {
    public var userID: UUID
    public var email: String
    public var passwordHash: String
    public var roles: [String]
    public var active: Bool
    /// The user version of the state copied here; events of older versions never overwrite it.
    public var sourceVersion: Int64

    public init(userID: UUID, email: String, passwordHash: String, roles: [String], active: Bool, sourceVersion: Int64) {
        self.userID = userID
        self.email = email
        self.passwordHash = passwordHash
        self.roles = roles
        self.active = active
        self.sourceVersion = sourceVersion
    }
}

/// The effect of one user event on the credentials.
public enum CredentialChange: Sendable, Equatable {
    case registered(Credential)
    case updated(userID: UUID, email: String, roles: [String], active: Bool, version: Int64)
    case deactivated(userID: UUID, version: Int64)
}

extension CredentialChange {
    /// An update or deactivation that arrived before the registration: retried until it can apply.
    public static let userNotYetKnown = AppError(.unavailable, "the user is not registered here yet")
}

/// Credentials storage with the inbox: `apply` records the event id and its effect atomically.
public protocol CredentialStore: Sendable {
    /// False when the event was applied before (a redelivery). Throws `AppError.unavailable` when
    /// the change is about a user not registered here yet, so the event is retried.
    func apply(_ change: CredentialChange, eventID: UUID, eventType: String) async throws -> Bool
    func find(email: String) async throws -> Credential?
    func find(userID: UUID) async throws -> Credential?
    func setPasswordHash(_ hash: String, userID: UUID) async throws
}
