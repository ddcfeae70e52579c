import BlockingIO
import Logging
import Synchronization

/// Consumes one queue with manual acknowledgements over its own connection and thread.
///
/// `run` declares the topology (see `QueueSpec`), sets basic.qos to the queue's prefetch, and hands
/// deliveries to the handler, up to the queue's `concurrency` at once; each outcome is settled on
/// the connection its delivery came on, by the connection's one thread.
/// A lost connection (broker restart, network) is reopened with backoff (0.5 s doubling to 5 s)
/// and consuming resumes; unsettled messages are redelivered by the broker, so handlers must be
/// idempotent. Message bodies are never logged.
public final class AMQPConsumer: Sendable {
    public let queue: QueueSpec
    private let configuration: AMQPConfiguration
    private let topology: EventTopology
    private let logger: Logger
    private let isRunning = Mutex(false)

    public init(configuration: AMQPConfiguration, topology: EventTopology = .platform, queue: QueueSpec, logger: Logger) {
        self.configuration = configuration
        self.topology = topology
        self.queue = queue
        var logger = logger
        logger[metadataKey: "amqp.queue"] = "\(queue.name)"
        self.logger = logger
    }

    /// Declares the exchanges and queues once over a short-lived connection, e.g. at start-up so a
    /// topology mismatch fails fast and events published before `run` starts are already queued.
    public func declareTopology() async throws {
        try await AMQPConnectionHandle.withTemporary(configuration, role: "declare \(queue.name)") { [topology, queue] in
            try $0.declare(topology, queue)
        }
    }

    /// Deletes the queue and its `.dead` queue, messages and all: for tests and tools, never done
    /// by a running service (queues are only ever declared).
    public func deleteTopology() async throws {
        try await AMQPConnectionHandle.withTemporary(configuration, role: "delete \(queue.name)") { [queue] handle in
            try handle.deleteQueue(queue.name)
            try handle.deleteQueue(queue.deadLetterQueueName)
        }
    }

    /// Consumes until the calling task is cancelled, then returns.
    /// Throws only for what retrying cannot fix: `.topologyMismatch` (a queue or exchange exists with
    /// other arguments), or a second concurrent `run`.
    /// - Parameter onConnected: runs after each (re)connection, before the first delivery on it.
    public func run(
        onConnected: @escaping @Sendable () async -> Void = {},
        _ handler: @escaping @Sendable (IncomingMessage) async -> ConsumeOutcome
    ) async throws {
        guard isRunning.withLock({ running in defer { running = true }; return !running }) else {
            throw AMQPError(.invalidConfiguration, "a consumer of '\(queue.name)' is already running")
        }
        defer { isRunning.withLock { $0 = false } }
        let pool = BlockingThreadPool(name: "amqp-\(queue.name)", threads: 1)
        let session = ConsumerSession(configuration: configuration, topology: topology, queue: queue)
        let heartbeat = configuration.heartbeatSeconds
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if heartbeat > 0 {
                    // Heartbeats while the handler runs and the connection thread is idle.
                    group.addTask {
                        while true {
                            do { try await Task.sleep(for: .milliseconds(500 * heartbeat)) } catch { return }
                            _ = try? await pool.run { session.sendHeartbeat() }
                        }
                    }
                }
                try await consume(pool: pool, session: session, onConnected: onConnected, handler: handler)
                group.cancelAll()
            }
        } catch {
            await Self.shutDown(pool, session)
            throw error
        }
        await Self.shutDown(pool, session)
    }

    private func consume(
        pool: BlockingThreadPool,
        session: ConsumerSession,
        onConnected: @Sendable () async -> Void,
        handler: @escaping @Sendable (IncomingMessage) async -> ConsumeOutcome
    ) async throws {
        let finished = FinishedDeliveries()
        var connection = 0
        // Handlers running, also of deliveries of a connection that was lost since.
        var inFlight = 0
        try await withThrowingDiscardingTaskGroup { handlers in
            var backoff = Duration.milliseconds(500)
            while !Task.isCancelled {
                do {
                    try await pool.run { try session.open() }
                    connection += 1
                    logger.info("AMQP consumer started", metadata: ["broker": "\(configuration)"])
                    backoff = .milliseconds(500)
                    await onConnected()
                    let current = connection
                    func settleable(_ settlements: [Settlement]) -> [Settlement] {
                        inFlight -= settlements.count
                        return settlements.filter { $0.connection == current }
                    }
                    while !Task.isCancelled {
                        if inFlight >= queue.concurrency { await finished.awaitAny() }
                        let done = settleable(finished.take())
                        let wait = inFlight > 0 ? ConsumerSession.busyPollInterval : ConsumerSession.pollInterval
                        guard let message = try await pool.run({ try session.settleAndReceive(done, wait: wait) }) else {
                            continue
                        }
                        inFlight += 1
                        handlers.addTask { [self] in
                            let outcome = await outcome(of: message, handler)
                            finished.add(Settlement(tag: message.deliveryTag, outcome: outcome, connection: current))
                        }
                    }
                    // Stopping: the handlers in flight finish and their outcomes are settled.
                    while inFlight > 0 {
                        await finished.awaitAny()
                        let done = settleable(finished.take())
                        try await pool.run { try session.settle(done) }
                    }
                } catch let error as AMQPError where error.kind == .topologyMismatch {
                    logger.error("AMQP consumer cannot declare its queue", metadata: ["error": "\(error)"])
                    throw error
                } catch {
                    let level: Logger.Level = (error as? AMQPError)?.isConnectionFailure == true ? .warning : .error
                    logger.log(level: level, "AMQP consumer connection failed; reconnecting",
                               metadata: ["error": "\(error)", "retryIn": "\(backoff)"])
                    _ = try? await pool.run { session.discard() }
                    do { try await Task.sleep(for: backoff) } catch { return }
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
        }
    }

    /// Runs the handler; a `.retry` waits for the queue's backoff first (cut short by cancellation).
    private func outcome(
        of message: IncomingMessage,
        _ handler: @Sendable (IncomingMessage) async -> ConsumeOutcome
    ) async -> ConsumeOutcome {
        let outcome = await handler(message)
        if outcome == .retry {
            try? await Task.sleep(for: queue.retryDelay(deliveryCount: message.deliveryCount))
        }
        return outcome
    }

    private static func shutDown(_ pool: BlockingThreadPool, _ session: ConsumerSession) async {
        _ = try? await pool.run { session.discard() }
        pool.shutdown()
    }
}
