import Contracts
import EventKit
import FoundationEssentials
import PlatformCore
import ServiceKit

/// What analytics consumes: sales and refunds, each applied once (inbox).
public func analyticsEventHandlers(store: any SalesStore) throws -> EventHandlers {
    var handlers = EventHandlers(service: ServiceManifest.analytics.name)
    try handlers.on(EventCatalog.orderPaid) { paid, event in
        guard let order = UUID(uuidString: paid.orderID), let location = UUID(uuidString: paid.locationID), paid.hasPaidAt else {
            throw EventRejected("needs an order, a café and a payment time")
        }
        let sale = Sale(
            orderID: order, locationID: location, locationName: paid.locationName,
            lines: try paid.lines.map {
                try Sale.Line(
                    product: $0.productID, name: $0.name, category: $0.category, quantity: $0.quantity, unitPriceCents: $0.unitPriceCents,
                    lineTotalCents: $0.lineTotalCents)
            },
            totalCents: paid.totalCents, paidAt: paid.paidAt.date)
        try await store.record(sale, cause: event)
    }
    try handlers.on(EventCatalog.orderRefunded) { refund, event in
        guard let order = UUID(uuidString: refund.orderID) else { throw EventRejected("needs an order id") }
        try await store.refund(order: order, at: refund.hasRefundedAt ? refund.refundedAt.date : Date(), cause: event)
    }
    return handlers
}
