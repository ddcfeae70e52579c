import Contracts
import Hummingbird
import PlatformCore
import PlatformHTTP

/// `/api/auth/*`: registration, login, refresh, logout, the caller's profile and password.
struct AuthRoutes {
    let upstreams: Upstreams
    let gate: AccessGate
    let profiles: ProfileCache
    let clientAddress: ClientAddressResolver

    struct RegisterBody: Decodable {
        var email: String?
        var password: String?
        var name: String?
    }

    struct LoginBody: Decodable {
        var email: String?
        var password: String?
    }

    struct RefreshBody: Decodable {
        var refresh_token: String?
    }

    struct PasswordBody: Decodable {
        var current_password: String?
        var new_password: String?
    }

    func add(to router: Router<AppRequestContext>) {
        let auth = router.group("api/auth")
        auth.post("register") { request, _ in try await register(request) }
        auth.post("login") { request, context in try await login(request, context) }
        auth.post("refresh") { request, context in try await refresh(request, context) }
        auth.post("logout") { request, _ in try await logout(request) }
        auth.get("me") { request, _ in try await UserRoutes.ownProfile(request, gate: gate, profiles: profiles, users: upstreams.users) }
        auth.post("password") { request, _ in try await changePassword(request) }
    }

    func register(_ request: Request) async throws -> Response {
        let body = try await request.decodeJSON(RegisterBody.self)
        let user = try await upstreams.users.register(
            .with {
                $0.email = body.email ?? ""
                $0.password = body.password ?? ""
                $0.name = body.name ?? ""
            })
        return try json(UserView(user), status: .created)
    }

    func login(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(LoginBody.self)
        var problems: [String: String] = [:]
        if (body.email ?? "").isEmpty { problems["email"] = "is required" }
        if (body.password ?? "").isEmpty { problems["password"] = "is required" }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "email and password are required", details: problems) }
        let tokens = try await upstreams.idm.login(
            .with {
                $0.email = body.email ?? ""
                $0.password = body.password ?? ""
                $0.clientAddress = clientAddress.address(of: request, context: context)
                $0.userAgent = request.headers[.userAgent] ?? ""
            })
        return try json(TokenPairView(tokens))
    }

    func refresh(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(RefreshBody.self)
        guard let token = body.refresh_token, !token.isEmpty else {
            throw AppError(.invalidArgument, "refresh_token is required", details: ["refresh_token": "is required"])
        }
        let tokens = try await upstreams.idm.refresh(
            .with {
                $0.refreshToken = token
                $0.clientAddress = clientAddress.address(of: request, context: context)
                $0.userAgent = request.headers[.userAgent] ?? ""
            })
        return try json(TokenPairView(tokens))
    }

    func logout(_ request: Request) async throws -> Response {
        let caller = try await gate.authenticate(request)
        let result = try await upstreams.idm.logout(.with { $0.token = caller.token })
        guard result.success else { throw AccessGate.unauthenticated("the access token is not valid") }
        gate.revokeLocally(caller.sessionID)
        return noContent()
    }

    func changePassword(_ request: Request) async throws -> Response {
        let caller = try await gate.authenticate(request)
        let body = try await request.decodeJSON(PasswordBody.self)
        var problems: [String: String] = [:]
        if (body.current_password ?? "").isEmpty { problems["current_password"] = "is required" }
        if (body.new_password ?? "").isEmpty { problems["new_password"] = "is required" }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "both passwords are required", details: problems) }
        _ = try await upstreams.auth.changePassword(
            .with {
                $0.userID = caller.userID
                $0.currentPassword = body.current_password ?? ""
                $0.newPassword = body.new_password ?? ""
            })
        // Whoever else held a session with the old password is signed out.
        _ = try await upstreams.idm.revokeUserSessions(
            .with {
                $0.userID = caller.userID
                $0.exceptSessionID = caller.sessionID
            })
        return noContent()
    }
}
