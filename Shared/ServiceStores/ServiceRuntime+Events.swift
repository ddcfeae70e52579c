import AMQP
import EventKit
import Postgres
import ServiceKit

extension ServiceRuntime {
    /// Publishes the service's outbox (on Postgres `client`); call `wake()` on the result after a
    /// commit that wrote events.
    public mutating func addOutboxRelay(_ client: PostgresClient) throws -> OutboxRelay {
        guard let publisher else { throw MissingBrokerError(service: settings.name) }
        let relay = OutboxRelay(store: PostgresOutboxStore(client: client), publisher: publisher, logger: logger)
        addBackgroundService(relay)
        return relay
    }

    /// Consumes the service's durable queue `<service>.events`. The queue is declared during
    /// start-up, so events published before the consumer runs are kept for it.
    public mutating func addEventConsumer(bindingKeys: [String], handler: @escaping EventConsumer.Handler) async throws {
        guard let url = settings.amqpURL else { throw MissingBrokerError(service: settings.name) }
        let consumer = AMQPConsumer(
            configuration: try AMQPConfiguration(url: url, connectionName: settings.name),
            queue: QueueSpec(service: settings.name, bindingKeys: bindingKeys), logger: logger)
        try await retryDuringStartup("declare queue", timeout: settings.startupTimeout, logger: logger) {
            try await consumer.declareTopology()
        }
        addBackgroundService(EventConsumer(consumer: consumer, logger: logger, handler: handler))
    }
}

struct MissingBrokerError: Error, CustomStringConvertible {
    let service: String
    var description: String { "the \(service) service is not configured to use the broker" }
}
