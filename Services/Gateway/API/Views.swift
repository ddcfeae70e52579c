import Contracts
import Foundation
import SwiftProtobuf

// The JSON shapes of the document built from the services' messages, each in one place.

extension Components.Schemas.User {
    init(_ user: User_V1_User) {
        self.init(
            id: user.id, email: user.email, name: user.name, roles: user.roles.compactMap(Components.Schemas.Role.init),
            active: user.active, createdAt: user.createdAt.date, updatedAt: user.updatedAt.date)
    }
}

extension Components.Schemas.TokenPair {
    init(_ tokens: Idm_V1_LoginResponse) {
        self.init(
            accessToken: tokens.token, refreshToken: tokens.refreshToken, tokenType: .bearer,
            expiresIn: Int(tokens.expiresIn), refreshExpiresIn: Int(tokens.refreshExpiresIn))
    }
}

extension Components.Schemas.Session {
    init(_ session: Idm_V1_Session) {
        self.init(
            id: session.id, createdAt: session.createdAt.date, lastSeenAt: session.lastSeenAt.date,
            clientAddress: session.clientAddress, userAgent: session.userAgent, current: session.current)
    }
}

extension Components.Schemas.Paging {
    init(_ page: Platform_Common_V1_PageInfo) {
        self.init(page: Int(page.page), pageSize: Int(page.pageSize), total: Int(page.total))
    }
}

extension Components.Schemas.LastConnection {
    /// `last_connection_at` is required and nullable: a user who never logged in gets `null`, not
    /// a missing key (the synthesized encoding would leave it out).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(email, forKey: .email)
        try container.encode(lastConnectionAt, forKey: .lastConnectionAt)
    }
}
