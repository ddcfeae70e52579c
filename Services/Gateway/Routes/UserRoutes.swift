import Contracts
import Hummingbird
import PlatformHTTP

/// `/api/users/me`: the caller's own profile.
struct UserRoutes {
    let upstreams: Upstreams
    let gate: AccessGate

    struct ProfileBody: Decodable {
        var name: String?
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("api/users/me") { request, _ in
            let caller = try await gate.authenticate(request)
            return try json(UserView(try await upstreams.users.getUser(.with { $0.id = caller.userID })))
        }
        router.patch("api/users/me") { request, _ in
            let caller = try await gate.authenticate(request)
            let body = try await decodeJSON(ProfileBody.self, from: request)
            let user = try await upstreams.users.updateProfile(
                .with {
                    $0.id = caller.userID
                    if let name = body.name { $0.name = name }
                })
            return try json(UserView(user))
        }
    }
}
