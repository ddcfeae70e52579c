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

    /// Settles the previous delivery (if any), then waits up to `pollInterval` for the next one.
    func settleAndReceive(_ settlement: (tag: UInt64, outcome: ConsumeOutcome)?) throws -> IncomingMessage? {
        guard let connection else { throw AMQPError(.connectionLost, "the consumer is not connected") }
        if let settlement { try connection.settle(settlement.tag, settlement.outcome) }
        return try connection.nextDelivery(timeout: Self.pollInterval)
    }

    func settle(_ tag: UInt64, _ outcome: ConsumeOutcome) throws {
        guard let connection else { throw AMQPError(.connectionLost, "the consumer is not connected") }
        try connection.settle(tag, outcome)
    }

    func sendHeartbeat() {
        connection?.sendHeartbeat()
    }

    func discard() {
        connection?.close()
        connection = nil
    }
}
