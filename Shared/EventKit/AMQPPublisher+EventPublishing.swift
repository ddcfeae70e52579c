import AMQP

extension AMQPPublisher: EventPublishing {
    public func publish(_ events: [DomainEvent]) async -> [Result<Void, any Error>] {
        await publish(batch: events.map(\.outgoingMessage)).map { $0.mapError { $0 as any Error } }
    }
}
