import AMQP
import FoundationEssentials
import PlatformCore
import PlatformTracing
import SwiftProtobuf

/// An event to publish: its id (the AMQP `message_id` consumers deduplicate with), its type
/// (the routing key) and its payload, a protobuf message in protobuf's JSON mapping.
public struct DomainEvent: Sendable, Equatable {
    public let id: UUID
    public let type: String
    public let payload: String
    public let correlationID: String?
    public let occurredAt: Date
    /// The W3C trace context (`traceparent`, `tracestate`) of the work that caused the event: the
    /// current span's when the event is made, so the consumer continues the trace.
    public let traceContext: [String: String]

    public init(
        id: UUID = UUID(), type: String, payload: String, correlationID: String?, occurredAt: Date = Date(),
        traceContext: [String: String] = PlatformTracing.currentHeaders()
    ) {
        self.id = id
        self.type = type
        self.payload = payload
        self.correlationID = correlationID
        self.occurredAt = occurredAt
        self.traceContext = traceContext
    }

    /// An event of a catalogued type, its payload in protobuf's JSON mapping.
    public init<Payload>(
        _ type: EventType<Payload>, _ payload: Payload, correlationID: String?, occurredAt: Date = Date()
    ) throws {
        self.init(type: type.name, payload: try payload.jsonString(), correlationID: correlationID, occurredAt: occurredAt)
    }

    public var outgoingMessage: OutgoingMessage {
        OutgoingMessage(
            routingKey: type, body: Array(payload.utf8), messageID: id.lowercasedString, timestamp: occurredAt,
            correlationID: correlationID, headers: traceContext)
    }

    /// The trace context as one text column of an outbox row (`key=value` lines; nil when empty).
    public var traceContextText: String? {
        traceContext.isEmpty ? nil : traceContext.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
    }

    public static func traceContext(text: String?) -> [String: String] {
        var headers: [String: String] = [:]
        for line in (text ?? "").split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            headers[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return headers
    }
}

/// A delivered event: a message with an id and a payload the handler decodes.
public struct ReceivedEvent: Sendable {
    public let id: UUID
    public let type: String
    public let correlationID: String?
    public let body: [UInt8]
    /// The message's headers, the W3C trace context among them.
    public let headers: [String: String]

    /// Throws `EventRejected` for a message that can never be processed (no or bad id).
    public init(_ message: IncomingMessage) throws(EventRejected) {
        guard let messageID = message.messageID, let id = UUID(uuidString: messageID) else {
            throw EventRejected("the message has no UUID message_id")
        }
        self.id = id
        type = message.type ?? message.routingKey
        correlationID = message.correlationID
        body = message.body
        headers = message.headers
    }

    /// Unknown fields are ignored so producers can add fields first.
    public func decode<M: SwiftProtobuf.Message>(_: M.Type) throws(EventRejected) -> M {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        do {
            return try M(jsonUTF8Bytes: body, options: options)
        } catch {
            throw EventRejected("the payload is not a valid \(M.protoMessageName)")
        }
    }
}

/// A permanent failure: the event is dead-lettered at once instead of retried.
public struct EventRejected: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
