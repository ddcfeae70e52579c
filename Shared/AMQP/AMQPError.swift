/// A failure of the AMQP client, with the broker's reply code and text when the broker sent one.
public struct AMQPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The URL or another setting is unusable.
        case invalidConfiguration
        /// No connection could be opened (refused, timed out, login or vhost refused).
        case connectionFailed
        /// An open connection broke (socket error, heartbeat timeout, broker closed it, no confirm in time).
        case connectionLost
        /// The broker answered a publish with basic.nack: it did not take responsibility for the message.
        case publishNacked
        /// A mandatory publish matched no queue and came back with basic.return.
        case unroutable
        /// An exchange or queue already exists with another type or other arguments; nothing is deleted.
        case topologyMismatch
        /// The broker refused an operation (channel or connection exception) other than a topology mismatch.
        case protocolError
        /// The publisher was closed.
        case closed
    }

    public let kind: Kind
    public let message: String
    /// AMQP reply code (e.g. 312 NO_ROUTE, 404 NOT_FOUND, 406 PRECONDITION_FAILED) when the broker sent one.
    public let replyCode: UInt16?
    /// The broker's reply text when it sent one.
    public let replyText: String?

    public init(_ kind: Kind, _ message: String, replyCode: UInt16? = nil, replyText: String? = nil) {
        self.kind = kind
        self.message = message
        self.replyCode = replyCode
        self.replyText = replyText
    }

    public var description: String {
        var text = "AMQP \(kind): \(message)"
        if let replyCode { text += " (\(replyCode)\(replyText.map { " \($0)" } ?? ""))" }
        return text
    }

    /// True for failures a later attempt may not repeat (broker down, connection broken).
    var isConnectionFailure: Bool { kind == .connectionFailed || kind == .connectionLost }
}
