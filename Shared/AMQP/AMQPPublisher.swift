import BlockingIO
import Logging
import Synchronization

/// Publishes events with publisher confirms over one connection with its own thread.
///
/// The connection opens on first use and reopens after a failure. Every message is persistent
/// and mandatory; `publish` returns only once the broker confirmed it. A message lost with a
/// broken connection is retried once on a new connection, then the error is thrown (an outbox
/// relay retries later; consumers deduplicate by message id). Message bodies are never logged.
public final class AMQPPublisher: Sendable {
    private let session: PublisherSession
    private let pool: BlockingThreadPool
    private let keepAlive: Mutex<Task<Void, Never>?>
    private let isClosed = Mutex(false)

    public init(configuration: AMQPConfiguration, topology: EventTopology = .platform, logger: Logger) {
        let session = PublisherSession(configuration: configuration, topology: topology, logger: logger)
        let pool = BlockingThreadPool(name: "amqp-publisher", threads: 1)
        self.session = session
        self.pool = pool
        // Heartbeats (and noticing a closed connection) while no publish uses the connection.
        let interval = Duration.milliseconds(500 * configuration.heartbeatSeconds)
        self.keepAlive = Mutex(
            configuration.heartbeatSeconds == 0 ? nil : Task {
                while true {
                    do { try await Task.sleep(for: interval) } catch { return }
                    _ = try? await pool.run { session.keepAlive() }
                }
            }
        )
    }

    deinit {
        keepAlive.withLock { $0?.cancel() }
        if !isClosed.withLock({ $0 }) {
            Task { [pool, session] in
                _ = try? await pool.run { session.close() }
                pool.shutdown()
            }
        }
    }

    /// Publishes one message and returns once the broker confirmed it.
    /// Throws `AMQPError` (`.unroutable`, `.publishNacked`, `.connectionFailed`, `.connectionLost`, ...).
    public func publish(_ message: OutgoingMessage) async throws {
        if case .failure(let error) = await publish(batch: [message])[0] { throw error }
    }

    /// Publishes several messages at once and waits for all confirms: much faster than one by
    /// one. The results are in the order of `messages`.
    public func publish(batch messages: [OutgoingMessage]) async -> [Result<Void, AMQPError>] {
        guard !messages.isEmpty else { return [] }
        guard !isClosed.withLock({ $0 }) else {
            return Array(repeating: .failure(AMQPError(.closed, "the publisher is closed")), count: messages.count)
        }
        do {
            let errors = try await pool.run { [session] in session.publish(messages) }
            return errors.map { $0.map { .failure($0) } ?? .success(()) }
        } catch {
            return Array(repeating: .failure(AMQPError(.closed, "the publisher is closed")), count: messages.count)
        }
    }

    /// A real round trip to the broker (passive declare of the events exchange), reconnecting if
    /// needed; for readiness checks.
    public func checkHealth() async throws {
        guard !isClosed.withLock({ $0 }) else { throw AMQPError(.closed, "the publisher is closed") }
        try await pool.run { [session] in try session.checkHealth() }
    }

    /// Closes the connection and the thread; later calls fail with `.closed`.
    public func close() async {
        guard isClosed.withLock({ state in defer { state = true }; return !state }) else { return }
        keepAlive.withLock { $0?.cancel() }
        _ = try? await pool.run { [session] in session.close() }
        pool.shutdown()
    }
}
