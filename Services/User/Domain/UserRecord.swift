import Foundation

public struct UserRecord: Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var name: String
    public var roles: [String]
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: UUID, email: String, name: String, roles: [String], active: Bool, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.email = email
        self.name = name
        self.roles = roles
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The admin list's filter and page.
public struct UserQuery: Sendable, Equatable {
    public var page: Int
    public var pageSize: Int
    /// Case-insensitive substring of the email.
    public var email: String?
    public var role: String?
    public var active: Bool?

    public init(page: Int = 1, pageSize: Int = 20, email: String? = nil, role: String? = nil, active: Bool? = nil) {
        self.page = page
        self.pageSize = pageSize
        self.email = email
        self.role = role
        self.active = active
    }
}

public struct UserPage: Sendable, Equatable {
    public var users: [UserRecord]
    public var total: Int
}
