import FoundationEssentials
import PlatformCore

public struct UserRecord: Sendable, Equatable {
    public var id: UUID
    public var email: String
    /// Lowercased; nil until the user picks one.
    public var username: String?
    public var name: String
    public var roles: [String]
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// 1 at registration, +1 per committed change: the order of the user's events.
    public var version: Int64

    public init(
        id: UUID, email: String, username: String? = nil, name: String, roles: [String], active: Bool, createdAt: Date,
        updatedAt: Date, version: Int64 = 1
    ) {
        self.id = id
        self.email = email
        self.username = username
        self.name = name
        self.roles = roles
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}

extension UserRecord {
    public var isActiveAdmin: Bool { active && roles.contains(Role.admin.rawValue) }
}

/// The admin list's filter and page.
public struct UserQuery: Sendable, Equatable {
    public var paging: PageRequest
    /// Case-insensitive substring of the email.
    public var email: String?
    public var role: String?
    public var active: Bool?

    public init(paging: PageRequest, email: String? = nil, role: String? = nil, active: Bool? = nil) {
        self.paging = paging
        self.email = email
        self.role = role
        self.active = active
    }
}
