import Contracts
import PlatformAPI
import PlatformCore

/// `/api/users/me`: the caller's own profile.
extension GatewayAPI {
    func getOwnProfile(_ input: Operations.GetOwnProfile.Input) async throws -> Operations.GetOwnProfile.Output {
        .ok(.init(body: .json(.init(try await ownProfile()))))
    }

    func updateOwnProfile(_ input: Operations.UpdateOwnProfile.Input) async throws -> Operations.UpdateOwnProfile.Output {
        let caller = try Caller.current()
        guard case .json(let body) = input.body else { throw unsupportedBody }
        _ = try await peers.users.updateProfile(
            .with {
                $0.id = caller.userID
                if let name = body.name { $0.name = name }
                if let username = body.username { $0.username = username }
            })
        profiles.drop(caller.userID)
        return .ok(.init(body: .json(.init(try await ownProfile()))))
    }

    func putAvatar(_ input: Operations.PutAvatar.Input) async throws -> Operations.PutAvatar.Output {
        let caller = try Caller.current()
        let body: Operations.UploadImage.Input.Body =
            switch input.body {
            case .png(let bytes): .png(bytes)
            case .jpeg(let bytes): .jpeg(bytes)
            case .imageWebp(let bytes): .imageWebp(bytes)
            case .imageGif(let bytes): .imageGif(bytes)
            case .binary(let bytes): .binary(bytes)
            case .multipartForm(let form): .multipartForm(form)
            }
        let avatar = try await upload(body, fileName: "avatar", visibility: .public, purpose: .avatar)
        profiles.drop(caller.userID)
        return .ok(.init(body: .json(.init(avatar))))
    }

    func deleteAvatar(_ input: Operations.DeleteAvatar.Input) async throws -> Operations.DeleteAvatar.Output {
        let caller = try Caller.current()
        _ = try await peers.media.deleteAvatar(.with { $0.caller = .current })
        profiles.drop(caller.userID)
        return .noContent(.init())
    }
}

/// What `/me` shows: the user and their avatar.
public struct OwnProfile: Sendable {
    public var user: User_V1_User
    public var avatar: Media_V1_Image?

    public init(user: User_V1_User, avatar: Media_V1_Image? = nil) {
        self.user = user
        self.avatar = avatar
    }
}

extension Components.Schemas.OwnProfile {
    init(_ profile: OwnProfile) {
        self.init(value1: .init(profile.user), value2: .init(avatarUrl: profile.avatar?.url))
    }
}

extension Components.Schemas.OwnProfile.Value2Payload {
    /// `avatar_url` is `null` without an avatar, not a missing key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(avatarUrl, forKey: .avatarUrl)
    }
}
