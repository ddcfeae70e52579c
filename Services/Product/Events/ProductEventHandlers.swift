import EventKit
import ServiceKit

/// What product consumes: the payment service's answers, each applied to its order once.
public func productEventHandlers(orders: OrderRegistry) throws -> EventHandlers {
    var handlers = EventHandlers(service: ServiceManifest.product.name)
    try handlers.on(EventCatalog.paymentSucceeded) { payment, event in try await orders.paymentSucceeded(payment, from: event) }
    try handlers.on(EventCatalog.paymentFailed) { failure, event in try await orders.paymentFailed(failure, from: event) }
    try handlers.on(EventCatalog.paymentRefunded) { refund, event in try await orders.paymentRefunded(refund, from: event) }
    return handlers
}
