import AMQP
import EventKit
import Foundation
import Logging
import PlatformCore
import SwiftProtobuf
import Synchronization
import Testing

/// Small helpers the identity suites share.
enum Fixtures {
    static let quietLogger: Logger = {
        var logger = Logger(label: "identity-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// A delivered event as the consumer would hand it over: the protobuf message in its JSON mapping.
    static func received(_ type: String, _ message: some SwiftProtobuf.Message, id: UUID = UUID()) throws -> ReceivedEvent {
        try received(type, json: try message.jsonString(), id: id)
    }

    static func received(_ type: String, json: String, id: UUID = UUID()) throws -> ReceivedEvent {
        try ReceivedEvent(incoming(type, json: json, messageID: id.uuidString.lowercased()))
    }

    static func incoming(_ type: String, json: String = "{}", messageID: String?) -> IncomingMessage {
        IncomingMessage(routingKey: type, body: Array(json.utf8), messageID: messageID, type: type, timestamp: Date())
    }

    /// The payload of an outbox event as a JSON object.
    static func jsonObject(_ payload: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
    }

    /// The error `body` throws, as an `AppError` (a test failure when it throws something else or nothing).
    static func appError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> AppError? {
        do {
            try await body()
            Issue.record("expected an AppError, but nothing was thrown", sourceLocation: sourceLocation)
            return nil
        } catch let error as AppError {
            return error
        } catch {
            Issue.record("expected an AppError, got \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Counts calls of a callback.
final class CallCounter: Sendable {
    private let calls = Mutex(0)

    var count: Int { calls.withLock { $0 } }

    func increment() { calls.withLock { $0 += 1 } }
}

/// A value shared between tasks and closures.
final class Locked<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value { storage.withLock { $0 } }

    func update<T>(_ change: (inout Value) -> T) -> T { storage.withLock { change(&$0) } }
}
