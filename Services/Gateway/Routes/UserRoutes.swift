import Contracts
import PlatformAPI

/// `/api/users/me`: the caller's own profile.
extension GatewayAPI {
    func getOwnProfile(_ input: Operations.GetOwnProfile.Input) async throws -> Operations.GetOwnProfile.Output {
        .ok(.init(body: .json(.init(try await ownProfile()))))
    }

    func updateOwnProfile(_ input: Operations.UpdateOwnProfile.Input) async throws -> Operations.UpdateOwnProfile.Output {
        let caller = try Caller.current()
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let user = try await peers.users.updateProfile(
            .with {
                $0.id = caller.userID
                if let name = body.name { $0.name = name }
            })
        profiles.drop(caller.userID)
        return .ok(.init(body: .json(.init(user))))
    }
}
