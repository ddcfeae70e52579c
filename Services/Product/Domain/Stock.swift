import FoundationEssentials

/// A product's stock at one café.
public struct StockLine: Sendable, Equatable {
    public var productID: UUID
    public var productName: String
    public var category: String
    public var quantity: Int64
    public var restockedAt: Date?

    public init(productID: UUID, productName: String, category: String, quantity: Int64, restockedAt: Date?) {
        self.productID = productID
        self.productName = productName
        self.category = category
        self.quantity = quantity
        self.restockedAt = restockedAt
    }
}

/// One change of a café's stock of a product, kept for good.
public struct StockMovement: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case restock, adjustment, sale, release
    }

    public var id: Int64
    public var kind: Kind
    public var delta: Int64
    public var quantityAfter: Int64
    public var reason: String
    public var orderID: UUID?
    public var createdAt: Date

    public init(id: Int64, kind: Kind, delta: Int64, quantityAfter: Int64, reason: String, orderID: UUID?, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.delta = delta
        self.quantityAfter = quantityAfter
        self.reason = reason
        self.orderID = orderID
        self.createdAt = createdAt
    }
}

/// Why staff change stock by hand.
public enum AdjustmentReason: String, Sendable, CaseIterable {
    case waste, count, other
}
