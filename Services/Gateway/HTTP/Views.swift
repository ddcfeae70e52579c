import Contracts
import Foundation
import PlatformCore
import SwiftProtobuf

/// The JSON shapes of the REST API (docs/identity-api.md, openapi.json); times are RFC 3339 UTC.
struct UserView: Codable {
    var id: String
    var email: String
    var name: String
    var roles: [String]
    var active: Bool
    var created_at: String
    var updated_at: String

    init(_ user: User_V1_User) {
        id = user.id
        email = user.email
        name = user.name
        roles = user.roles
        active = user.active
        created_at = rfc3339(user.createdAt)
        updated_at = rfc3339(user.updatedAt)
    }
}

struct TokenPairView: Codable {
    var access_token: String
    var refresh_token: String
    var token_type = "Bearer"
    var expires_in: Int64
    var refresh_expires_in: Int64

    init(_ response: Idm_V1_LoginResponse) {
        access_token = response.token
        refresh_token = response.refreshToken
        expires_in = response.expiresIn
        refresh_expires_in = response.refreshExpiresIn
    }
}

struct SessionView: Codable {
    var id: String
    var created_at: String
    var last_seen_at: String
    var client_address: String
    var user_agent: String
    var current: Bool

    init(_ session: Idm_V1_Session) {
        id = session.id
        created_at = rfc3339(session.createdAt)
        last_seen_at = rfc3339(session.lastSeenAt)
        client_address = session.clientAddress
        user_agent = session.userAgent
        current = session.current
    }
}

struct SessionListView: Codable {
    var sessions: [SessionView]
}

struct LastConnectionView: Codable {
    var email: String
    /// `null` (not absent) for a user who never logged in.
    var last_connection_at: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(email, forKey: .email)
        try container.encode(last_connection_at, forKey: .last_connection_at)
    }
}

struct UserPageView: Codable {
    var items: [UserView]
    var page: Int32
    var page_size: Int32
    var total: Int64
}

func rfc3339(_ timestamp: Google_Protobuf_Timestamp) -> String {
    timestamp.date.rfc3339
}
