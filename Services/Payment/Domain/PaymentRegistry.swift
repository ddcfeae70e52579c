import Contracts
import EventKit
import FoundationEssentials
import PlatformCore

/// Payment's side of the order saga: charges an order when it is created and refunds it when
/// product asks. An order is charged at most once, however often its event arrives: the provider
/// is asked with the order as idempotency key and the payment row is unique per order.
public struct PaymentRegistry: Sendable {
    private let store: any PaymentStore
    private let provider: any PaymentProvider
    private let eventsCommitted: @Sendable () -> Void
    private let now: @Sendable () -> Date

    public init(
        store: any PaymentStore, provider: any PaymentProvider, eventsCommitted: @escaping @Sendable () -> Void = {},
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.provider = provider
        self.eventsCommitted = eventsCommitted
        self.now = now
    }

    public func list(status: String?, paging: PageRequest) async throws -> Page<Payment> {
        var filter: Payment.Status?
        if let status {
            guard let known = Payment.Status(rawValue: status) else {
                throw AppError(
                    .invalidArgument, "the query is not valid",
                    details: ["status": "must be one of \(Payment.Status.allCases.map(\.rawValue).joined(separator: ", "))"])
            }
            filter = known
        }
        return try await store.payments(PaymentQuery(paging: paging, status: filter))
    }

    /// `order.created`: charge the order and publish the outcome with the payment row.
    public func charge(_ order: Events_V1_OrderCreated, from event: ReceivedEvent) async throws {
        guard let orderID = UUID(uuidString: order.orderID) else { throw EventRejected("needs an order id") }
        guard order.totalCents > 0, !order.currency.isEmpty else { throw EventRejected("needs an amount and a currency") }
        // A redelivery: the payment and its event were committed together, nothing is left to do.
        if try await store.payment(forOrder: orderID) != nil { return }
        let outcome = try await provider.charge(
            token: order.paymentToken, amountCents: order.totalCents, currency: order.currency,
            idempotencyKey: orderID.lowercasedString)
        let time = now()
        var payment = Payment(
            id: UUID(), orderID: orderID, status: .succeeded, amountCents: order.totalCents, currency: order.currency,
            reference: nil, failureReason: nil, createdAt: time)
        let result: DomainEvent
        switch outcome {
        case .succeeded(let reference):
            payment.reference = reference
            result = try DomainEvent(
                EventCatalog.paymentSucceeded,
                .with {
                    $0.paymentID = payment.id.lowercasedString
                    $0.orderID = order.orderID
                    $0.amountCents = payment.amountCents
                    $0.currency = payment.currency
                    $0.reference = reference
                },
                correlationID: event.correlationID, occurredAt: time)
        case .failed(let reason):
            payment.status = .failed
            payment.failureReason = reason
            result = try DomainEvent(
                EventCatalog.paymentFailed,
                .with {
                    $0.orderID = order.orderID
                    $0.reason = reason
                },
                correlationID: event.correlationID, occurredAt: time)
        }
        if try await store.record(payment, event: result, cause: event) { eventsCommitted() }
    }

    /// `order.refund_requested`: give the money of the order's payment back.
    public func refund(_ request: Events_V1_OrderRefundRequested, from event: ReceivedEvent) async throws {
        guard let orderID = UUID(uuidString: request.orderID) else { throw EventRejected("needs an order id") }
        guard let payment = try await store.payment(forOrder: orderID) else {
            throw EventRejected("order \(request.orderID) has no payment to refund")
        }
        guard payment.status == .succeeded, let reference = payment.reference else { return }
        try await provider.refund(
            reference: reference, amountCents: payment.amountCents, idempotencyKey: "refund-" + orderID.lowercasedString)
        let time = now()
        let refunded = try await store.markRefunded(order: orderID, at: time, cause: event) { payment in
            try DomainEvent(
                EventCatalog.paymentRefunded,
                .with {
                    $0.paymentID = payment.id.lowercasedString
                    $0.orderID = payment.orderID.lowercasedString
                    $0.amountCents = payment.amountCents
                    $0.currency = payment.currency
                },
                correlationID: event.correlationID, occurredAt: time)
        }
        if refunded != nil { eventsCommitted() }
    }
}
