@testable import AMQP
import Foundation
import Logging
import Synchronization
import Testing

/// The live broker the tests use: `TEST_AMQP_URL=amqp://user:password@host:port/vhost`.
/// Each test uses its own queues and routing keys and deletes its queues afterwards.
enum TestBroker {
    static let url = ProcessInfo.processInfo.environment["TEST_AMQP_URL"]
    static let isConfigured = url != nil
    static let skipReason: Comment = "TEST_AMQP_URL is not set"
    /// A shell command that restarts the broker, for the restart test.
    static let restartCommand = ProcessInfo.processInfo.environment["TEST_AMQP_RESTART_CMD"]

    static let logger: Logger = {
        var logger = Logger(label: "amqp-tests")
        logger.logLevel = .warning
        return logger
    }()

    static func configuration() throws -> AMQPConfiguration {
        try AMQPConfiguration(url: url ?? "", connectionName: "amqp-tests")
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
    }

    static func publisher(logger: Logger = logger) throws -> AMQPPublisher {
        AMQPPublisher(configuration: try configuration(), logger: logger)
    }

    static func consumer(_ queue: QueueSpec, logger: Logger = logger) throws -> AMQPConsumer {
        AMQPConsumer(configuration: try configuration(), queue: queue, logger: logger)
    }

    /// Declares `queue` (and its `.dead` queue), runs `body`, then deletes both queues.
    static func withQueue<T>(_ queue: QueueSpec, _ body: () async throws -> T) async throws -> T {
        try await consumer(queue).declareTopology()
        do {
            let result = try await body()
            try await deleteQueues(of: queue)
            return result
        } catch {
            try? await deleteQueues(of: queue)
            throw error
        }
    }

    static func deleteQueues(of queue: QueueSpec) async throws {
        try await AMQPConnectionHandle.withTemporary(try configuration(), role: "test cleanup") { handle in
            try handle.deleteQueue(queue.name)
            try handle.deleteQueue(queue.deadLetterQueueName)
        }
    }

    /// Runs `consumer` with `handler` in the background while `body` runs, then stops it.
    static func whileConsuming<T>(
        _ consumer: AMQPConsumer,
        _ handler: @escaping @Sendable (IncomingMessage) async -> ConsumeOutcome,
        _ body: () async throws -> T
    ) async throws -> T {
        let task = Task { try await consumer.run(handler) }
        do {
            let result = try await body()
            task.cancel()
            try await task.value
            return result
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
    }

    static func message(_ routingKey: String, _ text: String = "{}") -> OutgoingMessage {
        OutgoingMessage(routingKey: routingKey, body: Array(text.utf8))
    }
}

/// Messages a test consumer received, in order.
final class Received: Sendable {
    private let messages = Mutex<[IncomingMessage]>([])

    var all: [IncomingMessage] { messages.withLock { $0 } }

    func append(_ message: IncomingMessage) {
        messages.withLock { $0.append(message) }
    }

    /// Waits until at least `count` messages arrived or `timeout` passed, and returns them.
    func wait(for count: Int, timeout: Duration = .seconds(15)) async throws -> [IncomingMessage] {
        let deadline = ContinuousClock.now + timeout
        while all.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        return all
    }

    /// A handler that records each message and answers with `outcome`.
    func handler(_ outcome: ConsumeOutcome) -> @Sendable (IncomingMessage) async -> ConsumeOutcome {
        { [self] message in
            append(message)
            return outcome
        }
    }
}

/// A log handler that keeps the messages of warnings and errors, to check that nothing reconnected.
struct CapturedLog: LogHandler {
    final class Storage: Sendable {
        let messages = Mutex<[String]>([])
    }

    let storage: Storage
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    static func logger() -> (Logger, Storage) {
        let storage = Storage()
        return (Logger(label: "amqp-tests") { _ in CapturedLog(storage: storage) }, storage)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        storage.messages.withLock { $0.append("\(event.message) \(event.metadata ?? [:])") }
    }
}

/// All broker tests run one after another: the restart test would disturb the others.
@Suite(.serialized, .enabled(if: TestBroker.isConfigured, TestBroker.skipReason))
struct BrokerTests {}
