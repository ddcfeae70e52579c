import FoundationEssentials
import PlatformCore

/// A product of the menu. Its price is what orders charge; deactivated products stay for the
/// orders that sold them.
public struct Product: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var category: String
    public var description: String
    public var priceCents: Int64
    public var currency: String
    public var active: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, name: String, category: String, description: String, priceCents: Int64, currency: String, active: Bool,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.category = category
        self.description = description
        self.priceCents = priceCents
        self.currency = currency
        self.active = active
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A partial change of a product: nil fields stay as they are.
public struct ProductChange: Sendable, Equatable {
    public var name: String?
    public var category: String?
    public var description: String?
    public var priceCents: Int64?
    public var active: Bool?

    public init(name: String? = nil, category: String? = nil, description: String? = nil, priceCents: Int64? = nil, active: Bool? = nil) {
        self.name = name
        self.category = category
        self.description = description
        self.priceCents = priceCents
        self.active = active
    }
}

public struct ProductQuery: Sendable, Equatable {
    public var paging: PageRequest
    public var search: String?
    public var category: String?
    public var includeInactive: Bool

    public init(paging: PageRequest, search: String? = nil, category: String? = nil, includeInactive: Bool = false) {
        self.paging = paging
        self.search = search
        self.category = category
        self.includeInactive = includeInactive
    }
}

public struct CategoryCount: Sendable, Equatable {
    public var name: String
    public var productCount: Int
}

/// A café. Its access code is kept only as a bcrypt hash and never leaves the service.
public struct Location: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var address: String
    public var active: Bool
    public var createdAt: Date

    public init(id: UUID, name: String, address: String, active: Bool, createdAt: Date) {
        self.id = id
        self.name = name
        self.address = address
        self.active = active
        self.createdAt = createdAt
    }
}

public struct LocationChange: Sendable, Equatable {
    public var name: String?
    public var address: String?
    public var accessCode: String?
    public var active: Bool?

    public init(name: String? = nil, address: String? = nil, accessCode: String? = nil, active: Bool? = nil) {
        self.name = name
        self.address = address
        self.accessCode = accessCode
        self.active = active
    }
}
