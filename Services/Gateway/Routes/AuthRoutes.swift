import Contracts
import PlatformAPI
import PlatformCore

/// `/api/auth/*`: registration, login (of users and of café terminals), refresh, logout, the
/// caller's profile and password.
extension GatewayAPI {
    func register(_ input: Operations.Register.Input) async throws -> Operations.Register.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let user = try await peers.users.register(
            .with {
                $0.email = body.email ?? ""
                $0.password = body.password ?? ""
                $0.name = body.name ?? ""
                if let username = body.username { $0.username = username }
            })
        return .created(.init(body: .json(.init(user))))
    }

    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        return .ok(.init(body: .json(.init(try await logIn(email: body.email, password: body.password)))))
    }

    func terminalLogin(_ input: Operations.TerminalLogin.Input) async throws -> Operations.TerminalLogin.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        return .ok(.init(body: .json(.init(try await logInTerminal(locationID: body.locationId, accessCode: body.accessCode)))))
    }

    func refreshTokens(_ input: Operations.RefreshTokens.Input) async throws -> Operations.RefreshTokens.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        try requirePresent(["refresh_token": body.refreshToken], "refresh_token is required")
        return .ok(.init(body: .json(.init(try await refresh(body.refreshToken ?? "")))))
    }

    /// A new session's tokens for a user's credentials (for bearer clients and browsers alike).
    func logIn(email: String?, password: String?) async throws -> Idm_V1_LoginResponse {
        try requirePresent(["email": email, "password": password], "email and password are required")
        let client = ClientContext.current
        return try await peers.idm.login(
            .with {
                $0.email = email ?? ""
                $0.password = password ?? ""
                $0.clientAddress = client.address
                $0.userAgent = client.userAgent
            })
    }

    /// A new session's tokens for a café terminal.
    func logInTerminal(locationID: String?, accessCode: String?) async throws -> Idm_V1_LoginResponse {
        try requirePresent(["location_id": locationID, "access_code": accessCode], "location_id and access_code are required")
        let client = ClientContext.current
        return try await peers.idm.terminalLogin(
            .with {
                $0.locationID = locationID ?? ""
                $0.accessCode = accessCode ?? ""
                $0.clientAddress = client.address
                $0.userAgent = client.userAgent
            })
    }

    /// Spends a refresh token for the next pair.
    func refresh(_ refreshToken: String) async throws -> Idm_V1_LoginResponse {
        let client = ClientContext.current
        return try await peers.idm.refresh(
            .with {
                $0.refreshToken = refreshToken
                $0.clientAddress = client.address
                $0.userAgent = client.userAgent
            })
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        let caller = try Caller.current()
        let result = try await peers.idm.logout(.with { $0.token = caller.token })
        guard result.success else { throw AccessGate.invalidToken }
        gate.revokeLocally(caller.sessionID)
        return .noContent(.init())
    }

    func getAuthenticatedUser(_ input: Operations.GetAuthenticatedUser.Input) async throws -> Operations.GetAuthenticatedUser.Output {
        .ok(.init(body: .json(.init(try await ownProfile()))))
    }

    func changePassword(_ input: Operations.ChangePassword.Input) async throws -> Operations.ChangePassword.Output {
        let caller = try Caller.current()
        guard case .json(let body) = input.body else { throw unsupportedBody }
        try requirePresent(
            ["current_password": body.currentPassword, "new_password": body.newPassword], "both passwords are required")
        _ = try await peers.auth.changePassword(
            .with {
                $0.userID = caller.userID
                $0.currentPassword = body.currentPassword ?? ""
                $0.newPassword = body.newPassword ?? ""
            })
        // Whoever else held a session with the old password is signed out.
        let revoked = try await peers.idm.revokeUserSessions(
            .with {
                $0.userID = caller.userID
                $0.exceptSessionID = caller.sessionID
            })
        // This gateway refuses them before answering; other replicas learn it from session.revoked.
        for session in revoked.sessionIds { gate.revokeLocally(session) }
        return .noContent(.init())
    }

    /// The caller's profile, through the short-lived cache (`GET /api/auth/me`, `GET /api/users/me`).
    /// The caller's user and avatar (read together, cached together). When media cannot answer,
    /// the profile comes without its avatar rather than not at all (media logs its own failure).
    func ownProfile() async throws -> OwnProfile {
        let caller = try Caller.current()
        return try await profiles.profile(caller.userID) {
            async let user = peers.users.getUser(.with { $0.id = caller.userID })
            async let avatar = peers.media.getAvatar(.with { $0.caller = .current })
            let found: Media_V1_Image?
            do {
                found = try await avatar
            } catch {
                found = nil
            }
            return OwnProfile(user: try await user, avatar: found)
        }
    }
}

/// A request body of a content type the operation does not take (the generated decoder refuses
/// those first; this is for the compiler's exhaustiveness).
let unsupportedBody = AppError(.unsupportedMediaType, "the request body must be application/json")

/// 422 naming each field that is missing or empty.
func requirePresent(_ fields: [String: String?], _ message: String) throws {
    let missing = fields.filter { ($0.value ?? "").isEmpty }.keys
    guard missing.isEmpty else {
        throw AppError(.invalidArgument, message, details: Dictionary(uniqueKeysWithValues: missing.map { ($0, "is required") }))
    }
}
