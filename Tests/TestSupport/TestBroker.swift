import AMQP
import Foundation
import Logging
import Synchronization

/// The live broker the tests use: `TEST_AMQP_URL=amqp://user:password@host:port/vhost`.
/// Each test uses its own queues and routing keys and deletes its queues afterwards.
public enum TestBroker {

    public static let logger: Logger = {
        var logger = Logger(label: "amqp-tests")
        logger.logLevel = .warning
        return logger
    }()

    public static func configuration() throws -> AMQPConfiguration {
        try AMQPConfiguration(url: try TestServer.broker.require(), connectionName: "amqp-tests")
    }

    public static func uniqueName(_ prefix: String) -> String { uniqueTestName(prefix, separator: ".") }

    public static func publisher(logger: Logger = logger) throws -> AMQPPublisher {
        AMQPPublisher(configuration: try configuration(), logger: logger)
    }

    public static func consumer(_ queue: QueueSpec, logger: Logger = logger) throws -> AMQPConsumer {
        AMQPConsumer(configuration: try configuration(), queue: queue, logger: logger)
    }

    /// Declares `queue` (and its `.dead` queue), runs `body`, then deletes both queues.
    public static func withQueue<T>(_ queue: QueueSpec, _ body: () async throws -> T) async throws -> T {
        try await consumer(queue).declareTopology()
        return try await withCleanUp(body) { try await deleteQueues(of: queue) }
    }

    public static func deleteQueues(of queue: QueueSpec) async throws {
        try await consumer(queue).deleteTopology()
    }

    /// Runs `consumer` with `handler` in the background while `body` runs, then stops it.
    public static func whileConsuming<T>(
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

    public static func message(_ routingKey: String, _ text: String = "{}") -> OutgoingMessage {
        OutgoingMessage(routingKey: routingKey, body: Array(text.utf8))
    }
}

/// Messages a test consumer received, in order.
public final class Received: Sendable {
    private let messages = Mutex<[IncomingMessage]>([])

    public init() {}

    public var all: [IncomingMessage] { messages.withLock { $0 } }

    public func append(_ message: IncomingMessage) {
        messages.withLock { $0.append(message) }
    }

    /// Waits until at least `count` messages arrived or `timeout` passed, and returns them.
    public func wait(for count: Int, timeout: Duration = .seconds(15)) async throws -> [IncomingMessage] {
        let deadline = ContinuousClock.now + timeout
        while all.count < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        return all
    }

    /// A handler that records each message and answers with `outcome`.
    public func handler(_ outcome: ConsumeOutcome) -> @Sendable (IncomingMessage) async -> ConsumeOutcome {
        { [self] message in
            append(message)
            return outcome
        }
    }
}

/// A log handler that keeps the messages of warnings and errors, to check that nothing reconnected.
public struct CapturedLog: LogHandler {
    public final class Storage: Sendable {
        public let messages = Mutex<[String]>([])
    }

    public let storage: Storage
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .warning

    public static func logger() -> (Logger, Storage) {
        let storage = Storage()
        return (Logger(label: "amqp-tests") { _ in CapturedLog(storage: storage) }, storage)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        storage.messages.withLock { $0.append("\(event.message) \(event.metadata ?? [:])") }
    }
}

