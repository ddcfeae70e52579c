import Contracts
import EventKit
import FoundationEssentials
import PlatformCore
import SwiftProtobuf

/// Orders and their side of the payment saga. An order reserves its stock and is written
/// `pending_payment` with `order.created` in one transaction; the payment service's answer makes
/// it `paid` (publishing the whole order as `order.paid`) or `payment_failed` (stock back); unpaid
/// past the timeout it is cancelled (stock back); a payment for a cancelled order is refunded.
public struct OrderRegistry: Sendable {
    public static let maximumLines = 50
    public static let quantities: ClosedRange<Int64> = 1...100
    public static let idempotencyKeyLength = 1...128
    public static let paymentTokenLimit = 200

    private let store: any OrderStore
    private let locations: any CatalogStore
    private let paymentTimeout: Duration
    private let eventsCommitted: @Sendable () -> Void
    private let now: @Sendable () -> Date

    public init(
        store: any OrderStore, locations: any CatalogStore, paymentTimeout: Duration,
        eventsCommitted: @escaping @Sendable () -> Void = {}, now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.locations = locations
        self.paymentTimeout = paymentTimeout
        self.eventsCommitted = eventsCommitted
        self.now = now
    }

    // MARK: Orders as callers see them

    /// Prices come from the menu; whatever else the request says about money is not read.
    public func create(
        locationID: String?, items: [(productID: String, quantity: Int64)], paymentToken: String?, idempotencyKey: String?,
        by requester: Requester
    ) async throws -> (order: Order, replayed: Bool) {
        var problems: [String: String] = [:]
        if !(1...Self.maximumLines).contains(items.count) { problems["items"] = "must have 1 to \(Self.maximumLines) lines" }
        var merged: [OrderRequest.Line] = []
        for (index, item) in items.enumerated() {
            guard let product = UUID(uuidString: item.productID) else {
                problems["items.\(index).product_id"] = "is not a product id"
                continue
            }
            guard Self.quantities.contains(item.quantity) else {
                problems["items.\(index).quantity"] = "must be between \(Self.quantities.lowerBound) and \(Self.quantities.upperBound)"
                continue
            }
            if let same = merged.firstIndex(where: { $0.productID == product }) {
                merged[same].quantity += item.quantity
            } else {
                merged.append(.init(productID: product, quantity: item.quantity, position: index))
            }
        }
        if let token = paymentToken, token.count > Self.paymentTokenLimit {
            problems["payment_token"] = "must be at most \(Self.paymentTokenLimit) characters"
        }
        if let key = idempotencyKey, !Self.idempotencyKeyLength.contains(key.count) {
            problems["Idempotency-Key"] = "must be 1 to \(Self.idempotencyKeyLength.upperBound) characters"
        }
        let location = try Self.location(of: locationID, for: requester, problems: &problems)
        guard problems.isEmpty, let location else { throw AppError(.invalidArgument, "the order is not valid", details: problems) }
        guard let café = try await locations.location(id: location), café.active else {
            throw AppError(.invalidArgument, "the order is not valid", details: ["location_id": "is not an active café"])
        }
        let request = OrderRequest(
            locationID: location, lines: merged, paymentToken: paymentToken ?? "tok_ok", idempotencyKey: idempotencyKey)
        let caller = requester.userID.map { "user:\($0.lowercasedString)" } ?? "terminal:\(location.lowercasedString)"
        let time = now()
        let correlationID = RequestScope.requestID
        let token = request.paymentToken
        let result = try await store.create(request, id: UUID(), userID: requester.userID, caller: caller, at: time) { order in
            [
                try DomainEvent(
                    EventCatalog.orderCreated,
                    .with {
                        $0.orderID = order.id.lowercasedString
                        $0.userID = order.userID?.lowercasedString ?? ""
                        $0.locationID = order.locationID.lowercasedString
                        $0.totalCents = order.totalCents
                        $0.currency = order.currency
                        $0.paymentToken = token
                        $0.createdAt = .init(date: order.createdAt)
                    },
                    correlationID: correlationID, occurredAt: time)
            ]
        }
        guard result.replayed else {
            eventsCommitted()
            return result
        }
        guard result.order.answers(request) else {
            throw AppError(
                .invalidArgument, "the Idempotency-Key was used for a different order",
                details: ["Idempotency-Key": "was used for a different order"])
        }
        return (result.order.asCreated, true)
    }

    /// A customer's own orders, a terminal's café's, everyone's for staff and admins.
    public func list(status: String?, locationID: String?, paging: PageRequest, by requester: Requester) async throws
        -> Page<Order>
    {
        var problems: [String: String] = [:]
        let status = try Self.status(status, problems: &problems)
        var location: UUID?
        if let locationID {
            location = UUID(uuidString: locationID)
            if location == nil { problems["location_id"] = "is not a café id" }
        }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the query is not valid", details: problems) }
        var query = OrderQuery(paging: paging, status: status, locationID: location, userID: nil)
        if !requester.isStaff {
            if requester.isTerminal {
                guard let own = requester.locationID, location == nil || location == own else {
                    return Page(items: [], request: paging, total: 0)
                }
                query.locationID = own
            } else {
                guard let user = requester.userID else { return Page(items: [], request: paging, total: 0) }
                query.userID = user
            }
        }
        return try await store.orders(query)
    }

    /// The order, for its owner, its café's terminals, staff and admins; 404 for anyone else.
    public func order(_ id: String, by requester: Requester) async throws -> Order {
        guard let id = UUID(uuidString: id), let order = try await store.order(id: id), order.isVisible(to: requester) else {
            throw Self.notFound
        }
        return order
    }

    /// By its owner, staff or admins, while it waits for its payment; the stock comes back.
    public func cancel(_ id: String, by requester: Requester) async throws -> Order {
        let order = try await order(id, by: requester)
        guard requester.isStaff || (order.userID != nil && order.userID == requester.userID) else { throw Self.notFound }
        let time = now()
        let correlationID = RequestScope.requestID
        let cancelled = try await transition(order.id, at: time) { order in
            guard order.status == .pendingPayment else {
                throw AppError(.failedPrecondition, "only an order waiting for its payment can be cancelled")
            }
            order.status = .cancelled
            return OrderEffects(
                releaseStock: true, events: [try Self.cancelledEvent(order, reason: "cancelled", at: time, correlationID)])
        }
        return cancelled
    }

    /// Admin: a paid order's payment is refunded (`refund_pending`, `refunded` once the payment
    /// service confirms). Its stock is not returned: it was sold.
    public func refund(_ id: String) async throws -> Order {
        guard let id = UUID(uuidString: id) else { throw Self.notFound }
        let correlationID = RequestScope.requestID
        return try await transition(id, at: now()) { order in
            guard order.status == .paid else { throw AppError(.failedPrecondition, "only a paid order can be refunded") }
            order.status = .refundPending
            return OrderEffects(events: [try Self.refundRequested(order, reason: "admin", correlationID)])
        }
    }

    // MARK: The payment service's answers (each applied once, by event id)

    public func paymentSucceeded(_ payment: Events_V1_PaymentSucceeded, from event: ReceivedEvent) async throws {
        let id = try Self.orderID(payment.orderID)
        let locationName = try await locationName(ofOrder: id)
        let time = now()
        try await applying(event, to: id, at: time) { order in
            switch order.status {
            case .pendingPayment:
                order.status = .paid
                order.paidAt = time
                order.payment = OrderPayment(
                    status: .succeeded, amountCents: payment.amountCents, reference: payment.reference, failureReason: nil)
                return OrderEffects(events: [try Self.paidEvent(order, locationName: locationName, event.correlationID)])
            case .cancelled:
                // Paid after it timed out: the money goes back.
                order.status = .refundPending
                order.payment = OrderPayment(
                    status: .succeeded, amountCents: payment.amountCents, reference: payment.reference, failureReason: nil)
                return OrderEffects(
                    events: [try Self.refundRequested(order, reason: "cancelled_before_payment", event.correlationID)])
            case .paid, .paymentFailed, .refundPending, .refunded:
                return OrderEffects()
            }
        }
    }

    public func paymentFailed(_ failure: Events_V1_PaymentFailed, from event: ReceivedEvent) async throws {
        let id = try Self.orderID(failure.orderID)
        try await applying(event, to: id, at: now()) { order in
            guard order.status == .pendingPayment else { return OrderEffects() }
            order.status = .paymentFailed
            order.payment = OrderPayment(status: .failed, amountCents: order.totalCents, reference: nil, failureReason: failure.reason)
            return OrderEffects(releaseStock: true)
        }
    }

    public func paymentRefunded(_ refund: Events_V1_PaymentRefunded, from event: ReceivedEvent) async throws {
        let id = try Self.orderID(refund.orderID)
        let time = now()
        try await applying(event, to: id, at: time) { order in
            guard order.status == .refundPending else { return OrderEffects() }
            order.status = .refunded
            order.payment?.status = .refunded
            // Only a sale that was counted (order.paid) is taken back out of the figures.
            guard let paidAt = order.paidAt else { return OrderEffects() }
            return OrderEffects(
                events: [
                    try DomainEvent(
                        EventCatalog.orderRefunded,
                        .with {
                            $0.orderID = order.id.lowercasedString
                            $0.locationID = order.locationID.lowercasedString
                            $0.totalCents = order.totalCents
                            $0.currency = order.currency
                            $0.paidAt = .init(date: paidAt)
                            $0.refundedAt = .init(date: time)
                        },
                        correlationID: event.correlationID, occurredAt: time)
                ])
        }
    }

    // MARK: History

    /// Every order that was paid, in the order of payment, with its café's current name, a page
    /// at a time: what analytics rebuilds its figures from.
    public func forEachSale(pageSize: Int = 500, _ body: (Order, _ locationName: String) async throws -> Void) async throws {
        let names = Dictionary(uniqueKeysWithValues: try await locations.locations().map { ($0.id, $0.name) })
        var cursor: PaidOrderCursor?
        while true {
            let page = try await store.paidOrders(after: cursor, limit: pageSize)
            for order in page { try await body(order, names[order.locationID] ?? "") }
            guard page.count == pageSize, let last = page.last else { return }
            cursor = PaidOrderCursor(after: last)
        }
    }

    // MARK: The payment timeout

    /// Cancels the orders that waited longer than the timeout for their payment (stock back).
    /// Returns how many it cancelled.
    @discardableResult
    public func cancelExpired(limit: Int = 100) async throws -> Int {
        let time = now()
        let cutoff = time.addingTimeInterval(-TimeInterval(paymentTimeout.components.seconds))
        var cancelled = 0
        for id in try await store.pendingSince(before: cutoff, limit: limit) {
            let order = try await store.transition(id: id, at: time, handledEvent: nil) { order in
                guard order.status == .pendingPayment else { return OrderEffects() }
                order.status = .cancelled
                return OrderEffects(releaseStock: true, events: [try Self.cancelledEvent(order, reason: "timeout", at: time, nil)])
            }
            if order?.status == .cancelled { cancelled += 1 }
        }
        if cancelled > 0 { eventsCommitted() }
        return cancelled
    }

    // MARK: Helpers

    private func transition(
        _ id: UUID, at time: Date, _ change: @escaping @Sendable (inout Order) throws -> OrderEffects
    ) async throws -> Order {
        guard let order = try await store.transition(id: id, at: time, handledEvent: nil, change) else { throw Self.notFound }
        eventsCommitted()
        return order
    }

    private func applying(
        _ event: ReceivedEvent, to id: UUID, at time: Date, _ change: @escaping @Sendable (inout Order) throws -> OrderEffects
    ) async throws {
        guard try await store.transition(id: id, at: time, handledEvent: event, change) != nil else {
            throw EventRejected("no order \(id.lowercasedString)")
        }
        eventsCommitted()
    }

    private func locationName(ofOrder id: UUID) async throws -> String {
        guard let order = try await store.order(id: id) else { throw EventRejected("no order \(id.lowercasedString)") }
        return try await locations.location(id: order.locationID)?.name ?? ""
    }

    static func location(of locationID: String?, for requester: Requester, problems: inout [String: String]) throws(AppError)
        -> UUID?
    {
        let given = locationID.map(UUID.init(uuidString:))
        if case .some(.none) = given { problems["location_id"] = "is not a café id" }
        if requester.isTerminal {
            guard let own = requester.locationID else { throw AppError(.permissionDenied, "this terminal has no café") }
            if let given = given ?? nil, given != own { throw AppError(.permissionDenied, "a terminal sells at its own café only") }
            return own
        }
        guard let given = given ?? nil else {
            if locationID == nil { problems["location_id"] = "is required" }
            return nil
        }
        return given
    }

    static func status(_ text: String?, problems: inout [String: String]) -> OrderStatus? {
        guard let text else { return nil }
        guard let status = OrderStatus(rawValue: text) else {
            problems["status"] = "must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))"
            return nil
        }
        return status
    }

    static func orderID(_ text: String) throws(EventRejected) -> UUID {
        guard let id = UUID(uuidString: text) else { throw EventRejected("needs an order id") }
        return id
    }

    static func cancelledEvent(_ order: Order, reason: String, at time: Date, _ correlationID: String?) throws -> DomainEvent {
        try DomainEvent(
            EventCatalog.orderCancelled,
            .with {
                $0.orderID = order.id.lowercasedString
                $0.locationID = order.locationID.lowercasedString
                $0.reason = reason
                $0.cancelledAt = .init(date: time)
            },
            correlationID: correlationID, occurredAt: time)
    }

    static func refundRequested(_ order: Order, reason: String, _ correlationID: String?) throws -> DomainEvent {
        try DomainEvent(
            EventCatalog.orderRefundRequested,
            .with {
                $0.orderID = order.id.lowercasedString
                $0.reason = reason
            },
            correlationID: correlationID)
    }

    static func paidEvent(_ order: Order, locationName: String, _ correlationID: String?) throws -> DomainEvent {
        try DomainEvent(
            EventCatalog.orderPaid,
            .with {
                $0.orderID = order.id.lowercasedString
                $0.userID = order.userID?.lowercasedString ?? ""
                $0.locationID = order.locationID.lowercasedString
                $0.locationName = locationName
                $0.lines = order.lines.map { line in
                    .with {
                        $0.productID = line.productID.lowercasedString
                        $0.name = line.name
                        $0.category = line.category
                        $0.quantity = line.quantity
                        $0.unitPriceCents = line.unitPriceCents
                        $0.lineTotalCents = line.lineTotalCents
                    }
                }
                $0.totalCents = order.totalCents
                $0.currency = order.currency
                $0.paidAt = .init(date: order.paidAt ?? order.updatedAt)
            },
            correlationID: correlationID, occurredAt: order.paidAt ?? Date())
    }

    static let notFound = AppError(.notFound, "no such order")
}
