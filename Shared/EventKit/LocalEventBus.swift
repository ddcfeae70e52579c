import AMQP
import PlatformCore
import Foundation

/// Delivers events between services that run in one process without a broker, as the route and
/// RPC tests run them: services subscribe the handlers they would bind their queue to, and
/// in-memory stores publish what they commit. Events are delivered in the order published, to
/// every subscriber whose handlers bind the type; what a handler throws is kept in `failures`.
public actor LocalEventBus: EventPublishing {
    private var subscribers: [EventHandlers] = []
    public private(set) var failures: [(event: DomainEvent, error: any Error)] = []
    public private(set) var delivered: [DomainEvent] = []

    public init() {}

    public func subscribe(_ handlers: EventHandlers) { subscribers.append(handlers) }

    public func publish(_ events: [DomainEvent]) async -> [Result<Void, any Error>] {
        for event in events {
            delivered.append(event)
            for handlers in subscribers where handlers.bindingKeys.contains(event.type) {
                do {
                    try await handlers.handle(ReceivedEvent(event.incomingMessage))
                } catch {
                    failures.append((event, error))
                }
            }
        }
        return events.map { _ in .success(()) }
    }
}

extension DomainEvent {
    /// The message a consumer would receive for this event.
    public var incomingMessage: IncomingMessage {
        IncomingMessage(
            routingKey: type, body: Array(payload.utf8), messageID: id.lowercasedString, type: type, timestamp: occurredAt,
            correlationID: correlationID)
    }
}
