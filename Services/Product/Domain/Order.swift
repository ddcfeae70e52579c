import FoundationEssentials
import PlatformCore

public enum OrderStatus: String, Sendable, CaseIterable {
    case pendingPayment = "pending_payment"
    case paid
    case paymentFailed = "payment_failed"
    case cancelled
    case refundPending = "refund_pending"
    case refunded
}

/// A line as sold: the product's name, category and price at the moment of the order.
public struct OrderLine: Sendable, Equatable {
    public var productID: UUID
    public var name: String
    public var category: String
    public var quantity: Int64
    public var unitPriceCents: Int64

    public init(productID: UUID, name: String, category: String, quantity: Int64, unitPriceCents: Int64) {
        self.productID = productID
        self.name = name
        self.category = category
        self.quantity = quantity
        self.unitPriceCents = unitPriceCents
    }

    public var lineTotalCents: Int64 { quantity * unitPriceCents }
}

/// What the payment service answered for an order.
public struct OrderPayment: Sendable, Equatable {
    public enum Status: String, Sendable {
        case succeeded, failed, refunded
    }

    public var status: Status
    public var amountCents: Int64
    public var reference: String?
    public var failureReason: String?

    public init(status: Status, amountCents: Int64, reference: String?, failureReason: String?) {
        self.status = status
        self.amountCents = amountCents
        self.reference = reference
        self.failureReason = failureReason
    }
}

public struct Order: Sendable, Equatable {
    public var id: UUID
    /// Nil for a terminal's sale.
    public var userID: UUID?
    public var locationID: UUID
    public var status: OrderStatus
    public var lines: [OrderLine]
    public var totalCents: Int64
    public var currency: String
    public var payment: OrderPayment?
    public var createdAt: Date
    public var updatedAt: Date
    public var paidAt: Date?

    public init(
        id: UUID, userID: UUID?, locationID: UUID, status: OrderStatus, lines: [OrderLine], totalCents: Int64, currency: String,
        payment: OrderPayment?, createdAt: Date, updatedAt: Date, paidAt: Date?
    ) {
        self.id = id
        self.userID = userID
        self.locationID = locationID
        self.status = status
        self.lines = lines
        self.totalCents = totalCents
        self.currency = currency
        self.payment = payment
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.paidAt = paidAt
    }

    /// The order as its creation answered it: a replay of the Idempotency-Key answers the same.
    var asCreated: Order {
        var order = self
        order.status = .pendingPayment
        order.payment = nil
        order.updatedAt = createdAt
        order.paidAt = nil
        return order
    }

    /// Whether it is what `request` asks for: a replay of its Idempotency-Key must be.
    func answers(_ request: OrderRequest) -> Bool {
        locationID == request.locationID && lines.map(\.productID) == request.lines.map(\.productID)
            && lines.map(\.quantity) == request.lines.map(\.quantity)
    }

    /// Whether `requester` may see it: its owner, a terminal of its café, staff and admins.
    public func isVisible(to requester: Requester) -> Bool {
        requester.isStaff || (userID != nil && userID == requester.userID)
            || (requester.isTerminal && requester.locationID == locationID)
    }
}

/// What an order asks for, checked and merged (a product listed twice is one line).
public struct OrderRequest: Sendable, Equatable {
    /// A product and how many, with the line of the request it was first listed on (errors name it).
    public struct Line: Sendable, Equatable {
        public var productID: UUID
        public var quantity: Int64
        public var position: Int
    }

    public var locationID: UUID
    public var lines: [Line]
    public var paymentToken: String
    /// The caller's key of a retry-safe creation, with who the caller is.
    public var idempotencyKey: String?
}

public struct OrderQuery: Sendable, Equatable {
    public var paging: PageRequest
    public var status: OrderStatus?
    public var locationID: UUID?
    /// Only the orders of this user (a customer's own).
    public var userID: UUID?

    public init(paging: PageRequest, status: OrderStatus?, locationID: UUID?, userID: UUID?) {
        self.paging = paging
        self.status = status
        self.locationID = locationID
        self.userID = userID
    }
}
