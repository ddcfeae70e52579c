import AMQP
import EventKit
import Foundation
import Logging
import PlatformCore
import SwiftProtobuf
import Synchronization
import Testing

/// Small helpers the suites share: a quiet logger, delivered events, expected errors.
public enum Fixtures {
    public static let quietLogger: Logger = {
        var logger = Logger(label: "identity-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// A delivered event as the consumer would hand it over: the protobuf message in its JSON mapping.
    public static func received(_ type: String, _ message: some SwiftProtobuf.Message, id: UUID = UUID()) throws -> ReceivedEvent {
        try received(type, json: try message.jsonString(), id: id)
    }

    public static func received<Payload>(_ type: EventType<Payload>, _ message: Payload, id: UUID = UUID()) throws -> ReceivedEvent {
        try received(type.name, json: try message.jsonString(), id: id)
    }

    public static func received(_ type: String, json: String, id: UUID = UUID()) throws -> ReceivedEvent {
        try ReceivedEvent(incoming(type, json: json, messageID: id.uuidString.lowercased()))
    }

    public static func incoming(_ type: String, json: String = "{}", messageID: String?) -> IncomingMessage {
        IncomingMessage(routingKey: type, body: Array(json.utf8), messageID: messageID, type: type, timestamp: Date())
    }

    /// The payload of an outbox event as a JSON object.
    public static func jsonObject(_ payload: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
    }

    /// The error `body` throws, as an `AppError` (a test failure when it throws something else or nothing).
    public static func appError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> AppError? {
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

