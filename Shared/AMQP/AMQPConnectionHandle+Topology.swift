import CRabbitMQ

/// Declarations (all durable, never deletions).
extension AMQPConnectionHandle {
    /// Declares a durable exchange, or with `passive` only checks that it exists (a real round trip).
    func declareExchange(_ name: String, type: String, passive: Bool = false) throws {
        let ok = withArena { arena in
            amqp_exchange_declare(
                state, Self.channel, arena.bytes(name), arena.bytes(type),
                passive ? 1 : 0, 1, 0, 0, amqp_empty_table
            )
        }
        if ok == nil {
            try check(
                amqp_get_rpc_reply(state),
                "exchange '\(name)' (\(type)) \(passive ? "is missing" : "exists with other properties; delete or migrate it by hand")",
                declaring: true
            )
        }
    }

    /// Declares a durable queue with `arguments` (or, `exclusive`, one that lives only as long as this
    /// connection); an existing queue with other arguments is an error.
    func declareQueue(_ name: String, arguments: [(key: String, value: CArena.FieldValue)], exclusive: Bool = false) throws {
        let ok = withArena { arena in
            amqp_queue_declare(
                state, Self.channel, arena.bytes(name), 0, exclusive ? 0 : 1, exclusive ? 1 : 0, exclusive ? 1 : 0,
                arena.table(arguments))
        }
        if ok == nil {
            try check(
                amqp_get_rpc_reply(state),
                "queue '\(name)' exists with other arguments; it is never deleted automatically, migrate it by hand",
                declaring: true
            )
        }
    }

    func bindQueue(_ queue: String, exchange: String, routingKey: String) throws {
        let ok = withArena { arena in
            amqp_queue_bind(
                state, Self.channel, arena.bytes(queue), arena.bytes(exchange), arena.bytes(routingKey), amqp_empty_table
            )
        }
        if ok == nil {
            try check(amqp_get_rpc_reply(state), "bind queue '\(queue)' to '\(exchange)' with '\(routingKey)'")
        }
    }

    /// Declares both exchanges, the `.dead` queue bound to the dead-letter exchange and (for an
    /// events queue) the queue itself with its bindings.
    func declare(_ topology: EventTopology, _ queue: QueueSpec) throws {
        try declareExchange(topology.exchange, type: "topic")
        try declareExchange(topology.deadLetterExchange, type: "direct")
        if queue.role == .instance {
            try declareQueue(queue.name, arguments: [], exclusive: true)
            for key in queue.bindingKeys { try bindQueue(queue.name, exchange: topology.exchange, routingKey: key) }
            return
        }
        let eventsQueue = queue.role == .events ? queue.name : String(queue.name.dropLast(".dead".count))
        let deadQueue = queue.deadLetterQueueName
        try declareQueue(deadQueue, arguments: [("x-queue-type", .string("quorum"))])
        try bindQueue(deadQueue, exchange: topology.deadLetterExchange, routingKey: eventsQueue)
        guard queue.role == .events else { return }
        try declareQueue(queue.name, arguments: [
            ("x-queue-type", .string("quorum")),
            ("x-delivery-limit", .int(Int64(queue.deliveryLimit))),
            ("x-dead-letter-exchange", .string(topology.deadLetterExchange)),
            ("x-dead-letter-routing-key", .string(queue.name)),
            ("x-dead-letter-strategy", .string("at-least-once")),
            ("x-overflow", .string("reject-publish")),
        ])
        for key in queue.bindingKeys {
            try bindQueue(queue.name, exchange: topology.exchange, routingKey: key)
        }
    }
}

extension AMQPConnectionHandle {
    /// Deletes a queue. Only the tests use it, to remove the queues they created.
    func deleteQueue(_ name: String) throws {
        let ok = withArena { arena in amqp_queue_delete(state, Self.channel, arena.bytes(name), 0, 0) }
        if ok == nil { try check(amqp_get_rpc_reply(state), "delete queue '\(name)'") }
    }
}
