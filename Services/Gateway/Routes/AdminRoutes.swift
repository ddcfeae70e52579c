import Contracts
import Foundation
import Hummingbird
import PlatformCore
import PlatformHTTP

/// `/api/admin/users`: admins only; everyone else gets 403 before any lookup, so nothing about
/// the target leaks.
struct AdminRoutes {
    let upstreams: Upstreams
    let gate: AccessGate
    let profiles: ProfileCache

    struct CreateBody: Decodable {
        var email: String?
        var password: String?
        var name: String?
        var roles: [String]?
    }

    struct UpdateBody: Decodable {
        var name: String?
        var roles: [String]?
        var active: Bool?
    }

    func add(to router: Router<AppRequestContext>) {
        let users = router.group("api/admin/users")
        users.get { request, _ in
            try await admin(request)
            return try json(try await list(request))
        }
        users.post { request, _ in
            try await admin(request)
            let body = try await request.decodeJSON(CreateBody.self)
            let user = try await upstreams.users.createUser(
                .with {
                    $0.email = body.email ?? ""
                    $0.password = body.password ?? ""
                    $0.name = body.name ?? ""
                    $0.roles = body.roles ?? []
                })
            return try json(UserView(user), status: .created)
        }
        users.get(":id") { request, context in
            try await admin(request)
            return try json(UserView(try await upstreams.users.getUser(.with { $0.id = try userID(context) })))
        }
        users.patch(":id") { request, context in
            try await admin(request)
            let id = try userID(context)
            let body = try await request.decodeJSON(UpdateBody.self)
            let user = try await upstreams.users.updateUser(
                .with {
                    $0.id = id
                    if let name = body.name { $0.name = name }
                    if let roles = body.roles { $0.roles = .with { $0.roles = roles } }
                    if let active = body.active { $0.active = active }
                })
            profiles.drop(id)
            return try json(UserView(user))
        }
        users.delete(":id") { request, context in
            try await admin(request)
            let id = try userID(context)
            _ = try await upstreams.users.deactivateUser(.with { $0.id = id })
            profiles.drop(id)
            return noContent()
        }
    }

    private func admin(_ request: Request) async throws {
        try await gate.authenticate(request).requireAdmin()
    }

    private func userID(_ context: AppRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil else {
            throw AppError(.notFound, "no such user")
        }
        return id
    }

    private func list(_ request: Request) async throws -> UserPageView {
        let query = request.uri.queryParameters
        var problems: [String: String] = [:]
        func integer(_ name: String, default value: Int32) -> Int32 {
            guard let text = query.get(name) else { return value }
            guard let number = Int32(text) else {
                problems[name] = "must be an integer"
                return value
            }
            return number
        }
        let page = integer("page", default: 1)
        let pageSize = integer("page_size", default: 20)
        if page < 1 { problems["page"] = "must be at least 1" }
        if !(1...100).contains(pageSize) { problems["page_size"] = "must be between 1 and 100" }
        var active: Bool?
        if let text = query.get("active") {
            switch text.lowercased() {
            case "true", "1": active = true
            case "false", "0": active = false
            default: problems["active"] = "must be true or false"
            }
        }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the query is not valid", details: problems) }
        let result = try await upstreams.users.listUsers(
            .with {
                $0.page = page
                $0.pageSize = pageSize
                $0.email = query.get("email") ?? ""
                $0.role = query.get("role") ?? ""
                if let active { $0.active = active }
            })
        return UserPageView(items: result.users.map(UserView.init), page: result.page, page_size: result.pageSize, total: result.total)
    }
}
