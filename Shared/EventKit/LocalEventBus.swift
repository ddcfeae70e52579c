import AMQP
import PlatformCore
import FoundationEssentials

/// Delivers events between services that run in one process without a broker, as the route and
/// RPC tests run them: services subscribe the handlers they would bind their queue to, and
/// in-memory stores publish what they commit. Events are delivered in the order published, to
/// every subscriber whose handlers bind the type; what a handler throws is kept in `failures`.
public actor LocalEventBus: EventPublishing {
    private var subscribers: [EventHandlers] = []
    /// Types whose delivery waits, as a queue keeps messages while its consumer is down.
    private var held: Set<String> = []
    private var waiting: [DomainEvent] = []
    public private(set) var failures: [(event: DomainEvent, error: any Error)] = []
    public private(set) var delivered: [DomainEvent] = []

    public init() {}

    public func subscribe(_ handlers: EventHandlers) { subscribers.append(handlers) }

    /// Accepts events of `type` from now on but delivers none until `release(type)`.
    public func hold(_ type: String) { held.insert(type) }

    /// Delivers the held events of `type`, in the order published, and the later ones at once.
    public func release(_ type: String) async {
        held.remove(type)
        let due = waiting.filter { $0.type == type }
        waiting.removeAll { $0.type == type }
        for event in due { await deliver(event) }
    }

    public func publish(_ events: [DomainEvent]) async -> [Result<Void, any Error>] {
        for event in events {
            if held.contains(event.type) {
                waiting.append(event)
            } else {
                await deliver(event)
            }
        }
        return events.map { _ in .success(()) }
    }

    private func deliver(_ event: DomainEvent) async {
        delivered.append(event)
        for handlers in subscribers where handlers.bindingKeys.contains(event.type) {
            do {
                try await handlers.handle(ReceivedEvent(event.incomingMessage))
            } catch {
                failures.append((event, error))
            }
        }
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
