import AMQP
import EventKit

extension ServiceRuntime {
    /// Publishes the service's outbox; call `wake()` on the result after a commit that wrote events.
    public mutating func addOutboxRelay(_ store: some OutboxStore) throws -> OutboxRelay {
        // In-process tests publish to their local bus.
        guard let publisher: any EventPublishing = publisher ?? settings.localEvents else {
            throw MissingDependencyError(service: settings.name, dependency: "the broker")
        }
        let relay = OutboxRelay(store: store, publisher: publisher, logger: logger)
        addBackgroundService(relay)
        return relay
    }

    /// Consumes the service's durable queue `<service>.events`, bound to exactly the event types
    /// `handlers` handle. The queue is declared during start-up, so events published before the
    /// consumer runs are kept for it. In-process tests subscribe the handlers to their local bus.
    public mutating func addEventConsumer(_ handlers: EventHandlers) async throws {
        guard let url = settings.amqpURL else {
            guard let bus = settings.localEvents else {
                throw MissingDependencyError(service: settings.name, dependency: "the broker")
            }
            await bus.subscribe(handlers)
            return
        }
        let consumer = AMQPConsumer(
            configuration: try AMQPConfiguration(url: url, connectionName: settings.name),
            queue: QueueSpec(service: settings.name, bindingKeys: handlers.bindingKeys), logger: logger)
        try await retryDuringStartup("declare queue", timeout: settings.startupTimeout, logger: logger) {
            try await consumer.declareTopology()
        }
        addBackgroundService(EventConsumer(consumer: consumer, logger: logger, handler: handlers.handle))
    }
}
