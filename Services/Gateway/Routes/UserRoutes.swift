import Contracts
import Hummingbird
import PlatformHTTP
import PlatformRPC

/// `/api/users/me`: the caller's own profile.
struct UserRoutes {
    let upstreams: Upstreams
    let gate: AccessGate
    let profiles: ProfileCache

    struct ProfileBody: Decodable {
        var name: String?
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("api/users/me") { request, _ in
            try await Self.ownProfile(request, gate: gate, profiles: profiles, users: upstreams.users)
        }
        router.patch("api/users/me") { request, _ in
            let caller = try await gate.authenticate(request)
            let body = try await request.decodeJSON(ProfileBody.self)
            let user = try await upstreams.users.updateProfile(
                .with {
                    $0.id = caller.userID
                    if let name = body.name { $0.name = name }
                })
            profiles.drop(caller.userID)
            return try json(UserView(user))
        }
    }

    /// `GET /api/auth/me` and `GET /api/users/me`.
    static func ownProfile(
        _ request: Request, gate: AccessGate, profiles: ProfileCache, users: User_V1_UserService.Client<RPCClients.Transport>
    ) async throws -> Response {
        let caller = try await gate.authenticate(request)
        let user = try await profiles.profile(caller.userID) {
            try await users.getUser(.with { $0.id = caller.userID })
        }
        return try json(UserView(user))
    }
}
