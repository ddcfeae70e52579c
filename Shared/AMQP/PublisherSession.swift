import Logging

/// The publisher's connection state. Only jobs of the publisher's single-thread pool touch it,
/// which makes the `@unchecked Sendable` sound.
final class PublisherSession: @unchecked Sendable {
    private let configuration: AMQPConfiguration
    private let topology: EventTopology
    private let logger: Logger
    private var connection: AMQPConnectionHandle?

    init(configuration: AMQPConfiguration, topology: EventTopology, logger: Logger) {
        self.configuration = configuration
        self.topology = topology
        self.logger = logger
    }

    /// Publishes and waits for confirms; messages lost with a broken connection are retried once
    /// on a new connection.
    func publish(_ messages: [OutgoingMessage]) -> [AMQPError?] {
        var results = attempt(messages)
        let lost = results.indices.filter { results[$0]?.kind == .connectionLost }
        guard !lost.isEmpty else { return results }
        logger.warning(
            "AMQP publisher connection lost; reconnecting and retrying",
            metadata: ["count": "\(lost.count)", "error": "\(results[lost[0]]!)"]
        )
        let retried = attempt(lost.map { messages[$0] })
        for (position, index) in lost.enumerated() { results[index] = retried[position] }
        return results
    }

    /// A passive declare of the events exchange: a real round trip, reconnecting once if needed.
    func checkHealth() throws {
        do {
            try connected().declareExchange(topology.exchange, type: "topic", passive: true)
        } catch let error as AMQPError where error.kind == .connectionLost {
            try connected().declareExchange(topology.exchange, type: "topic", passive: true)
        }
    }

    func keepAlive() {
        connection?.keepAliveIdle()
    }

    func close() {
        connection?.close()
        connection = nil
    }

    private func attempt(_ messages: [OutgoingMessage]) -> [AMQPError?] {
        do {
            return try connected().publish(messages, exchange: topology.exchange, timeout: configuration.confirmTimeout)
        } catch let error as AMQPError {
            return Array(repeating: error, count: messages.count)
        } catch {
            return Array(repeating: AMQPError(.connectionFailed, "\(error)"), count: messages.count)
        }
    }

    /// The open connection, or a new one with the events exchange declared and confirms enabled.
    private func connected() throws -> AMQPConnectionHandle {
        if let connection, connection.isUsable { return connection }
        connection?.close()
        connection = nil
        let handle = try AMQPConnectionHandle.open(configuration, role: "publisher")
        do {
            try handle.declareExchange(topology.exchange, type: "topic")
            try handle.enableConfirms()
        } catch {
            handle.close()
            throw error
        }
        logger.info("AMQP publisher connected", metadata: ["broker": "\(configuration)"])
        connection = handle
        return handle
    }
}
