import CRabbitMQ
import FoundationEssentials
import Glibc

/// Consuming with manual acknowledgements.
extension AMQPConnectionHandle {
    /// basic.qos (per consumer) and basic.consume without auto-ack.
    func startConsuming(_ queue: QueueSpec) throws {
        if amqp_basic_qos(state, Self.channel, 0, queue.prefetch, 0) == nil {
            try check(amqp_get_rpc_reply(state), "basic.qos")
        }
        let ok = withArena { arena in
            amqp_basic_consume(state, Self.channel, arena.bytes(queue.name), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        }
        if ok == nil {
            try check(amqp_get_rpc_reply(state), "basic.consume on '\(queue.name)'")
        }
    }

    /// The next delivery, or nil when none arrived within `timeout`.
    func nextDelivery(timeout: Duration) throws -> IncomingMessage? {
        guard isUsable else { throw AMQPError(.connectionLost, "the consumer connection is closed") }
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var wait = timeval(timeout)
        let reply = amqp_consume_message(state, &envelope, &wait, 0)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            defer { amqp_destroy_envelope(&envelope) }
            return IncomingMessage(envelope)
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_TIMEOUT.rawValue:
            return nil
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue:
            try handleNonDeliveryFrame()
            return nil
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw libraryFailure(reply.library_error, "consuming")
        default:
            markBroken()
            throw AMQPError(.protocolError, "consuming: unexpected reply from librabbitmq")
        }
    }

    /// Acks, or rejects with or without requeue.
    ///
    /// basic.reject rather than basic.nack: from RabbitMQ 4.3 on, only basic.reject counts as a failed
    /// delivery (increments `x-delivery-count`), so a nack with requeue would never reach the delivery
    /// limit there; up to 4.2 both behave the same.
    func settle(_ deliveryTag: UInt64, _ outcome: ConsumeOutcome) throws {
        guard isUsable else { throw AMQPError(.connectionLost, "the consumer connection is closed") }
        let status = switch outcome {
        case .ack: amqp_basic_ack(state, Self.channel, deliveryTag, 0)
        case .retry: amqp_basic_reject(state, Self.channel, deliveryTag, 1)
        case .reject: amqp_basic_reject(state, Self.channel, deliveryTag, 0)
        }
        if status != AMQP_STATUS_OK.rawValue { throw libraryFailure(status, "settling a delivery") }
    }

    /// amqp_consume_message met a frame other than basic.deliver: the broker closing the channel or
    /// the connection, or cancelling the consumer (its queue was deleted).
    private func handleNonDeliveryFrame() throws {
        var frame = amqp_frame_t()
        let status = amqp_simple_wait_frame(state, &frame)
        guard status == AMQP_STATUS_OK.rawValue else { throw libraryFailure(status, "consuming") }
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return }
        switch frame.payload.method.id {
        case platform_amqp_method_channel_close, platform_amqp_method_connection_close:
            throw brokerClosed(frame.payload.method, "consuming")
        case platform_amqp_method_basic_cancel:
            markUnusable()
            throw AMQPError(.connectionLost, "the broker cancelled the consumer (was the queue deleted?)")
        default:
            return
        }
    }
}

extension IncomingMessage {
    init(_ envelope: amqp_envelope_t) {
        let properties = envelope.message.properties
        func has(_ flag: UInt16) -> Bool { properties._flags & amqp_flags_t(flag) != 0 }
        let headers = has(platform_amqp_flag_headers) ? properties.headers.stringValues : [:]
        self.init(
            deliveryTag: envelope.delivery_tag,
            exchange: envelope.exchange.string,
            routingKey: envelope.routing_key.string,
            body: envelope.message.body.array,
            messageID: has(platform_amqp_flag_message_id) ? properties.message_id.string : nil,
            type: has(platform_amqp_flag_type) ? properties.type.string : nil,
            timestamp: has(platform_amqp_flag_timestamp) ? Date(timeIntervalSince1970: TimeInterval(properties.timestamp)) : nil,
            correlationID: has(platform_amqp_flag_correlation_id) ? properties.correlation_id.string : nil,
            contentType: has(platform_amqp_flag_content_type) ? properties.content_type.string : nil,
            headers: headers,
            redelivered: envelope.redelivered != 0,
            deliveryCount: headers["x-delivery-count"].flatMap { Int($0) } ?? 0
        )
    }
}
