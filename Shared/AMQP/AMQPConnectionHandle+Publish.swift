import CRabbitMQ
import FoundationEssentials
import Glibc

/// Publishing with publisher confirms.
extension AMQPConnectionHandle {
    /// Puts the channel in confirm mode; the broker then numbers publishes from 1.
    func enableConfirms() throws {
        if amqp_confirm_select(state, Self.channel) == nil {
            try check(amqp_get_rpc_reply(state), "confirm.select")
        }
        nextPublishSequence = 1
    }

    /// Publishes `messages` (persistent, mandatory) and waits until the broker settled each one.
    /// Returns one entry per message: nil when confirmed, else why not.
    func publish(_ messages: [OutgoingMessage], exchange: String, timeout: Duration) -> [AMQPError?] {
        var tracker = ConfirmTracker(messages: messages)
        for (index, message) in messages.enumerated() {
            let status = withArena { arena in send(message, exchange: exchange, arena: arena) }
            guard status == AMQP_STATUS_OK.rawValue else {
                tracker.failAll(libraryFailure(status, "publish"), from: index)
                return tracker.results
            }
            tracker.sent(index, sequence: nextPublishSequence)
            nextPublishSequence += 1
        }
        awaitConfirms(&tracker, deadline: .now + timeout)
        return tracker.results
    }

    private func send(_ message: OutgoingMessage, exchange: String, arena: CArena) -> Int32 {
        var properties = amqp_basic_properties_t()
        var flags = platform_amqp_flag_content_type | platform_amqp_flag_delivery_mode | platform_amqp_flag_message_id
            | platform_amqp_flag_timestamp | platform_amqp_flag_type
        properties.content_type = arena.bytes(message.contentType)
        properties.delivery_mode = 2
        properties.message_id = arena.bytes(message.messageID)
        properties.timestamp = UInt64(max(message.timestamp.timeIntervalSince1970, 0))
        properties.type = arena.bytes(message.type)
        if let correlationID = message.correlationID {
            flags |= platform_amqp_flag_correlation_id
            properties.correlation_id = arena.bytes(correlationID)
        }
        if !message.headers.isEmpty {
            flags |= platform_amqp_flag_headers
            properties.headers = arena.table(message.headers.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
        }
        properties._flags = amqp_flags_t(flags)
        return amqp_basic_publish(
            state, Self.channel, arena.bytes(exchange), arena.bytes(message.routingKey),
            1, 0, &properties, arena.bytes(message.body)
        )
    }

    private func awaitConfirms(_ tracker: inout ConfirmTracker, deadline: ContinuousClock.Instant) {
        while tracker.hasPending {
            let remaining = deadline - .now
            guard remaining > .zero else {
                markBroken()
                tracker.failPending(AMQPError(.connectionLost, "no publisher confirm within \(configuration.confirmTimeout)"))
                return
            }
            amqp_maybe_release_buffers(state)
            var frame = amqp_frame_t()
            var wait = timeval(remaining)
            let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
            if status == AMQP_STATUS_TIMEOUT.rawValue { continue }
            guard status == AMQP_STATUS_OK.rawValue else {
                tracker.failPending(libraryFailure(status, "waiting for publisher confirms"))
                return
            }
            guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { continue }
            let method = frame.payload.method
            switch method.id {
            case platform_amqp_method_basic_ack:
                let ack = method.decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
                tracker.settle(ack.delivery_tag, multiple: ack.multiple != 0, nacked: false)
            case platform_amqp_method_basic_nack:
                let nack = method.decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
                tracker.settle(nack.delivery_tag, multiple: nack.multiple != 0, nacked: true)
            case platform_amqp_method_basic_return:
                let returned = method.decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
                let routingKey = returned.routing_key.string
                let error = AMQPError(
                    .unroutable, "no queue is bound to '\(returned.exchange.string)' for routing key '\(routingKey)'",
                    replyCode: returned.reply_code, replyText: returned.reply_text.string
                )
                var content = amqp_message_t()
                let reply = amqp_read_message(state, Self.channel, &content, 0)
                guard reply.reply_type == AMQP_RESPONSE_NORMAL else {
                    tracker.failPending(libraryFailure(reply.library_error, "reading a returned message"))
                    return
                }
                let messageID = content.properties._flags & amqp_flags_t(platform_amqp_flag_message_id) != 0
                    ? content.properties.message_id.string : nil
                amqp_destroy_message(&content)
                tracker.returned(messageID: messageID, routingKey: routingKey, error: error)
            case platform_amqp_method_channel_close, platform_amqp_method_connection_close:
                tracker.failPending(brokerClosed(method, "publish to '\(configuration.connectionName)'"))
                return
            default:
                continue
            }
        }
    }
}

extension AMQPConnectionHandle {
    /// For an idle publisher: notices a broker that closed the connection meanwhile, then sends a heartbeat.
    func keepAliveIdle() {
        guard isUsable else { return }
        while true {
            var frame = amqp_frame_t()
            var immediately = timeval(tv_sec: 0, tv_usec: 0)
            let status = amqp_simple_wait_frame_noblock(state, &frame, &immediately)
            if status == AMQP_STATUS_TIMEOUT.rawValue { break }
            guard status == AMQP_STATUS_OK.rawValue else {
                _ = libraryFailure(status, "idle")
                return
            }
            if frame.frame_type == UInt8(AMQP_FRAME_METHOD),
               [platform_amqp_method_channel_close, platform_amqp_method_connection_close].contains(frame.payload.method.id) {
                _ = brokerClosed(frame.payload.method, "idle")
                return
            }
        }
        sendHeartbeat()
    }
}
