import FoundationEssentials
import PlatformCore

/// The account facts idm needs: from auth's copy, or from the user service's events.
public struct AccountInfo: Sendable, Equatable {
    public var userID: UUID
    public var email: String
    public var roles: [String]
    public var active: Bool
    /// The user version this state is of (0: unknown); of two states the higher version wins.
    public var version: Int64

    public init(userID: UUID, email: String, roles: [String], active: Bool, version: Int64 = 0) {
        self.userID = userID
        self.email = email
        self.roles = roles
        self.active = active
        self.version = version
    }
}

extension AccountInfo {
    /// What a café's terminal sessions are opened as: the café is the account.
    static func terminal(of location: UUID) -> AccountInfo {
        AccountInfo(userID: location, email: "", roles: [Role.terminal.rawValue], active: true)
    }
}

/// idm's view of the auth service (a gRPC client in production).
public protocol CredentialVerifier: Sendable {
    /// Throws `AppError.unauthenticated` for bad credentials.
    func verify(email: String, password: String) async throws -> AccountInfo
    /// Nil when auth does not know the user.
    func account(userID: UUID) async throws -> AccountInfo?
}
