import EventKit
import ServiceKit

/// What payment consumes: orders to charge and refunds product asks for.
public func paymentEventHandlers(payments: PaymentRegistry) throws -> EventHandlers {
    var handlers = EventHandlers(service: ServiceManifest.payment.name)
    try handlers.on(EventCatalog.orderCreated) { order, event in try await payments.charge(order, from: event) }
    try handlers.on(EventCatalog.orderRefundRequested) { request, event in try await payments.refund(request, from: event) }
    return handlers
}
