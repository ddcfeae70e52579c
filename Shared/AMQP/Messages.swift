import FoundationEssentials

/// A message to publish on the events exchange. It is always sent persistent and mandatory.
public struct OutgoingMessage: Sendable {
    /// The event type, e.g. `order.created`.
    public var routingKey: String
    public var body: [UInt8]
    /// The event id; consumers deduplicate with it.
    public var messageID: String
    /// AMQP `type`; the event type by default.
    public var type: String
    /// AMQP `timestamp`; the protocol carries whole seconds.
    public var timestamp: Date
    /// The request id that caused the event.
    public var correlationID: String?
    public var contentType: String
    /// Extra string headers.
    public var headers: [String: String]

    public init(
        routingKey: String,
        body: [UInt8],
        messageID: String = UUID().uuidString,
        type: String? = nil,
        timestamp: Date = Date(),
        correlationID: String? = nil,
        contentType: String = "application/json",
        headers: [String: String] = [:]
    ) {
        self.routingKey = routingKey
        self.body = body
        self.messageID = messageID
        self.type = type ?? routingKey
        self.timestamp = timestamp
        self.correlationID = correlationID
        self.contentType = contentType
        self.headers = headers
    }
}

/// A delivered message. Properties a foreign publisher left out are nil.
public struct IncomingMessage: Sendable {
    /// The channel's delivery tag; the consumer settles the message itself from the handler's outcome.
    public let deliveryTag: UInt64
    public let exchange: String
    public let routingKey: String
    public let body: [UInt8]
    public let messageID: String?
    public let type: String?
    public let timestamp: Date?
    public let correlationID: String?
    public let contentType: String?
    /// String-valued headers (integers are rendered in decimal), e.g. `x-first-death-reason` on dead letters.
    public let headers: [String: String]
    /// The broker delivered this message before (to this or another consumer).
    public let redelivered: Bool
    /// How many times the message was returned to the queue before (`x-delivery-count`, quorum queues); 0 at first.
    public let deliveryCount: Int

    /// Builds a message by hand, e.g. to test a handler without a broker.
    public init(
        deliveryTag: UInt64 = 0,
        exchange: String = "platform.events",
        routingKey: String,
        body: [UInt8],
        messageID: String?,
        type: String?,
        timestamp: Date?,
        correlationID: String? = nil,
        contentType: String? = "application/json",
        headers: [String: String] = [:],
        redelivered: Bool = false,
        deliveryCount: Int = 0
    ) {
        self.deliveryTag = deliveryTag
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.messageID = messageID
        self.type = type
        self.timestamp = timestamp
        self.correlationID = correlationID
        self.contentType = contentType
        self.headers = headers
        self.redelivered = redelivered
        self.deliveryCount = deliveryCount
    }
}

/// What a consumer's handler decided about a message.
public enum ConsumeOutcome: Sendable, Equatable {
    /// Done (or already done before: a duplicate): remove it from the queue.
    case ack
    /// A transient failure: after a short backoff, return it to the queue (basic.reject, requeue); the
    /// broker dead-letters it once the queue's delivery limit is reached.
    case retry
    /// A permanent failure (malformed, not processable): dead-letter it now (basic.reject, no requeue).
    case reject
}
