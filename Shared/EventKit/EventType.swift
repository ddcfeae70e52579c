import SwiftProtobuf

/// One kind of event on the platform exchange: its name (the routing key and AMQP `type`), the
/// protobuf message of its payload, and, for an event that carries a secret, the only services
/// whose queues may bind it. Each is declared once, in `EventCatalog`.
public struct EventType<Payload: SwiftProtobuf.Message>: Sendable {
    public let name: String
    /// Nil: any service may consume it.
    public let consumers: Set<String>?

    init(_ name: String, onlyFor consumers: Set<String>? = nil) {
        self.name = name
        self.consumers = consumers
    }

    public func mayBeConsumed(by service: String) -> Bool { consumers?.contains(service) ?? true }
}
