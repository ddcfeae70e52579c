import FoundationEssentials
import PlatformCore

/// An order's charge: one per order, whatever happens to the events that asked for it.
public struct Payment: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case succeeded, failed, refunded
    }

    public var id: UUID
    public var orderID: UUID
    public var status: Status
    public var amountCents: Int64
    public var currency: String
    /// The provider's reference of a charge that went through.
    public var reference: String?
    /// Why the provider refused it: card_declined, insufficient_funds or invalid_token.
    public var failureReason: String?
    public var createdAt: Date
    public var refundedAt: Date?

    public init(
        id: UUID, orderID: UUID, status: Status, amountCents: Int64, currency: String, reference: String?, failureReason: String?,
        createdAt: Date, refundedAt: Date? = nil
    ) {
        self.id = id
        self.orderID = orderID
        self.status = status
        self.amountCents = amountCents
        self.currency = currency
        self.reference = reference
        self.failureReason = failureReason
        self.createdAt = createdAt
        self.refundedAt = refundedAt
    }
}

public struct PaymentQuery: Sendable, Equatable {
    public var paging: PageRequest
    public var status: Payment.Status?

    public init(paging: PageRequest, status: Payment.Status?) {
        self.paging = paging
        self.status = status
    }
}
