import Contracts
import GRPCCore
import PlatformCore
import SwiftProtobuf

/// `user.v1.UserService` over the registry. Authorization happens at the gateway: the admin
/// methods are only routed for admins, the profile methods only for the caller's own id.
public struct UserRPCService: User_V1_UserService.SimpleServiceProtocol {
    let registry: UserRegistry

    public init(registry: UserRegistry) { self.registry = registry }

    public func register(request: User_V1_RegisterRequest, context: ServerContext) async throws -> User_V1_User {
        .init(
            try await registry.register(
                email: request.email, password: request.password, name: request.name, username: request.hasUsername ? request.username : nil))
    }

    public func getUser(request: User_V1_GetUserRequest, context: ServerContext) async throws -> User_V1_User {
        if !request.id.isEmpty { return .init(try await registry.get(id: request.id)) }
        if !request.email.isEmpty { return .init(try await registry.get(email: request.email)) }
        return .init(try await registry.get(username: request.username))
    }

    public func updateProfile(request: User_V1_UpdateProfileRequest, context: ServerContext) async throws -> User_V1_User {
        .init(
            try await registry.updateProfile(
                id: request.id, name: request.hasName ? request.name : nil,
                username: request.hasUsername ? request.username : nil))
    }

    public func listUsers(request: User_V1_ListUsersRequest, context: ServerContext) async throws -> User_V1_ListUsersResponse {
        let query = UserQuery(
            paging: try PageRequest(request.page), email: request.email.isEmpty ? nil : request.email,
            role: request.role.isEmpty ? nil : request.role, active: request.hasActive ? request.active : nil)
        let page = try await registry.list(query)
        return .with {
            $0.users = page.items.map(User_V1_User.init)
            $0.page = .init(page)
        }
    }

    public func createUser(request: User_V1_CreateUserRequest, context: ServerContext) async throws -> User_V1_User {
        .init(
            try await registry.create(
                email: request.email, password: request.password, name: request.name, username: request.hasUsername ? request.username : nil,
                roles: request.roles.isEmpty ? ["customer"] : request.roles))
    }

    public func updateUser(request: User_V1_UpdateUserRequest, context: ServerContext) async throws -> User_V1_User {
        .init(
            try await registry.update(
                id: request.id, name: request.hasName ? request.name : nil,
                username: request.hasUsername ? request.username : nil, roles: request.hasRoles ? request.roles.roles : nil, active: request.hasActive ? request.active : nil,
                by: request.actingUserID))
    }

    public func deactivateUser(request: User_V1_DeactivateUserRequest, context: ServerContext) async throws -> User_V1_User {
        .init(try await registry.deactivate(id: request.id, by: request.actingUserID))
    }
}

extension User_V1_User {
    init(_ user: UserRecord) {
        self = .with {
            $0.id = user.id.lowercasedString
            $0.email = user.email
            $0.username = user.username ?? ""
            $0.name = user.name
            $0.roles = user.roles
            $0.active = user.active
            $0.createdAt = Google_Protobuf_Timestamp(date: user.createdAt)
            $0.updatedAt = Google_Protobuf_Timestamp(date: user.updatedAt)
        }
    }
}
