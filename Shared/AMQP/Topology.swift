/// The exchanges every service shares: a durable topic exchange for events (routing key = event
/// type) and a durable direct exchange that routes each queue's dead letters to its `.dead` queue.
public struct EventTopology: Sendable {
    public var exchange: String
    public var deadLetterExchange: String

    public init(exchange: String = "platform.events", deadLetterExchange: String = "platform.events.dlx") {
        self.exchange = exchange
        self.deadLetterExchange = deadLetterExchange
    }

    public static let platform = EventTopology()
}

/// A consumer's queue: a durable quorum queue `name` bound to the events exchange with
/// `bindingKeys`, with bounded redeliveries and dead-lettering into the quorum queue `name.dead`.
///
/// A message returned with `.retry` is redelivered until it has been returned `deliveryLimit` times;
/// the broker then dead-letters it (reason `delivery_limit`); `.reject` dead-letters at once
/// (reason `rejected`). Dead-lettering is at-least-once: the broker keeps the message until
/// `name.dead` has it. Queues are only ever declared, never deleted: a queue that already
/// exists with other arguments makes the consumer fail with `AMQPError.Kind.topologyMismatch`.
public struct QueueSpec: Sendable {
    enum Role: Sendable { case events, deadLetters, instance }

    public var name: String
    /// Routing keys (event types or topic patterns such as `payment.*`) bound to the events exchange.
    public var bindingKeys: [String]
    /// How many times a message may go back to the queue before the broker dead-letters it.
    public var deliveryLimit: Int
    /// Unacknowledged messages the broker sends ahead (basic.qos per consumer).
    public var prefetch: UInt16
    /// Deliveries handled at once (at most `prefetch`). Handlers of one queue may then finish in
    /// another order than their messages arrived: they must not depend on it (the platform's
    /// consumers apply changes by version or by state, and dedupe by event id).
    public var concurrency: Int
    /// The wait before a `.retry` goes back to the queue; doubled for each earlier return, capped at 2 s.
    public var retryBackoff: Duration
    var role: Role = .events

    public init(
        name: String,
        bindingKeys: [String],
        deliveryLimit: Int = 5,
        prefetch: UInt16 = 16,
        concurrency: Int = 8,
        retryBackoff: Duration = .milliseconds(100)
    ) {
        precondition(deliveryLimit > 0 && prefetch > 0, "deliveryLimit and prefetch must be positive")
        precondition((1...Int(prefetch)).contains(concurrency), "concurrency must be between 1 and prefetch")
        self.name = name
        self.bindingKeys = bindingKeys
        self.deliveryLimit = deliveryLimit
        self.prefetch = prefetch
        self.concurrency = concurrency
        self.retryBackoff = retryBackoff
    }

    /// The queue `<service>.events`.
    public init(service: String, bindingKeys: [String]) {
        self.init(name: "\(service).events", bindingKeys: bindingKeys)
    }

    /// A queue of one process that must see every event (each replica its own, e.g. a cache kept
    /// current by events): exclusive to the consumer's connection and gone with it, so events sent
    /// while disconnected are missed and the consumer resynchronises in `onConnected`. It has no
    /// dead letters: `.reject` drops a message.
    public static func instance(name: String, bindingKeys: [String]) -> QueueSpec {
        var spec = QueueSpec(name: name, bindingKeys: bindingKeys)
        spec.role = .instance
        return spec
    }

    public var deadLetterQueueName: String {
        role == .events ? "\(name).dead" : name
    }

    /// The `.dead` queue as a spec of its own, to inspect or re-drive dead letters with a consumer
    /// (its messages carry `x-first-death-reason` and the original routing key in `x-death`).
    public var deadLetters: QueueSpec {
        var spec = self
        spec.name = deadLetterQueueName
        spec.bindingKeys = []
        spec.role = .deadLetters
        return spec
    }

    /// The delay before the `.retry` of a message returned `deliveryCount` times before.
    func retryDelay(deliveryCount: Int) -> Duration {
        let factor = 1 << min(max(deliveryCount, 0), 10)
        return min(retryBackoff * factor, .seconds(2))
    }
}
