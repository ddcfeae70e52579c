import Contracts
import PlatformAPI
import PlatformCore

/// `/api/admin/users`: admins only (the document's `security` says so; `APIMiddleware` refuses
/// everyone else with 403 before any lookup, so nothing about the target leaks).
extension GatewayAPI {
    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        let active = query.bool(input.query.active, "active")
        try query.check()
        let result = try await peers.users.listUsers(
            .with {
                if let paging { $0.page = .init(paging) }
                $0.email = input.query.email ?? ""
                $0.role = input.query.role ?? ""
                if let active { $0.active = active }
            })
        let items = result.users.map(Components.Schemas.User.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let user = try await peers.users.createUser(
            .with {
                $0.email = body.email ?? ""
                $0.password = body.password ?? ""
                $0.name = body.name ?? ""
                if let username = body.username { $0.username = username }
                $0.roles = body.roles ?? []
            })
        return .created(.init(body: .json(.init(user))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        .ok(.init(body: .json(.init(try await peers.users.getUser(.with { $0.id = input.path.id })))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let caller = try Caller.current()
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let user = try await peers.users.updateUser(
            .with {
                $0.id = input.path.id
                $0.actingUserID = caller.userID
                if let name = body.name { $0.name = name }
                if let username = body.username { $0.username = username }
                if let roles = body.roles { $0.roles = .with { $0.roles = roles } }
                if let active = body.active { $0.active = active }
            })
        profiles.drop(input.path.id)
        return .ok(.init(body: .json(.init(user))))
    }

    func deactivateUser(_ input: Operations.DeactivateUser.Input) async throws -> Operations.DeactivateUser.Output {
        let caller = try Caller.current()
        _ = try await peers.users.deactivateUser(
            .with {
                $0.id = input.path.id
                $0.actingUserID = caller.userID
            })
        profiles.drop(input.path.id)
        return .noContent(.init())
    }
}
