/// A consumer's connection state. Only jobs of the consumer's single-thread pool touch it,
/// which makes the `@unchecked Sendable` sound.
final class ConsumerSession: @unchecked Sendable {
    /// How long one blocking wait for a delivery lasts, which bounds how late cancellation is seen.
    static let pollInterval = Duration.milliseconds(250)

    private let configuration: AMQPConfiguration
    private let topology: EventTopology
    private let queue: QueueSpec
    private var connection: AMQPConnectionHandle?

    init(configuration: AMQPConfiguration, topology: EventTopology, queue: QueueSpec) {
        self.configuration = configuration
        self.topology = topology
        self.queue = queue
    }

    /// Opens a new connection, declares the topology and starts consuming.
    func open() throws {
        discard()
        let handle = try AMQPConnectionHandle.open(configuration, role: "consumer \(queue.name)")
        do {
            try handle.declare(topology, queue)
            try handle.startConsuming(queue)
        } catch {
            handle.close()
            throw error
        }
        connection = handle
    }

    /// While handlers run, how long one wait for a delivery lasts: their outcomes are settled
    /// between waits, so this bounds how late an ack goes out.
    static let busyPollInterval = Duration.milliseconds(2)

    /// Settles finished deliveries, then waits up to `wait` for the next one.
    func settleAndReceive(_ settlements: [Settlement], wait: Duration) throws -> IncomingMessage? {
        guard let connection else { throw AMQPError(.connectionLost, "the consumer is not connected") }
        for settlement in settlements { try connection.settle(settlement.tag, settlement.outcome) }
        return try connection.nextDelivery(timeout: wait)
    }

    func settle(_ settlements: [Settlement]) throws {
        guard let connection else { throw AMQPError(.connectionLost, "the consumer is not connected") }
        for settlement in settlements { try connection.settle(settlement.tag, settlement.outcome) }
    }

    func sendHeartbeat() {
        connection?.sendHeartbeat()
    }

    func discard() {
        connection?.close()
        connection = nil
    }
}
