import AccessTokens
import PlatformCore

/// The authenticated caller of a request, from a verified access token.
public struct Principal: Sendable, Equatable {
    public let userID: String
    public let email: String
    public let roles: [String]
    public let sessionID: String
    public let token: String

    init(claims: AccessClaims, token: String) {
        userID = claims.userID
        email = claims.email
        roles = claims.roles
        sessionID = claims.sid
        self.token = token
    }

    public var isAdmin: Bool { roles.contains(Role.admin.rawValue) }

    /// 403 for anyone but an admin, before anything about the target object is looked up.
    public func requireAdmin() throws {
        guard isAdmin else { throw AppError(.permissionDenied, "this operation is for admins") }
    }
}
