import CRabbitMQ
import FoundationEssentials
import Glibc

/// One librabbitmq connection with one channel.
///
/// librabbitmq connections are not thread-safe and every call blocks: a handle is created, used
/// and closed only by jobs of its owner's single-thread `BlockingThreadPool`, which is what makes
/// the `@unchecked Sendable` sound. After any failure `isUsable` turns false and the owner
/// closes the handle and opens a new one.
final class AMQPConnectionHandle: @unchecked Sendable {
    static let channel: amqp_channel_t = 1

    let state: amqp_connection_state_t
    let configuration: AMQPConfiguration
    /// False once the connection or its channel failed.
    private(set) var isUsable = true
    /// False once the socket is known to be broken, so `close` must not wait for the broker.
    private var canCloseGracefully = true
    /// The publish sequence number the broker will confirm next (confirm mode).
    var nextPublishSequence: UInt64 = 1

    private init(state: amqp_connection_state_t, configuration: AMQPConfiguration) {
        self.state = state
        self.configuration = configuration
    }

    /// Connects, logs in and opens channel 1; `role` is appended to the connection name.
    static func open(_ configuration: AMQPConfiguration, role: String) throws -> AMQPConnectionHandle {
        guard let state = amqp_new_connection() else {
            throw AMQPError(.connectionFailed, "librabbitmq could not allocate a connection")
        }
        guard let socket = amqp_tcp_socket_new(state) else {
            amqp_destroy_connection(state)
            throw AMQPError(.connectionFailed, "librabbitmq could not allocate a socket")
        }
        let endpoint = "\(configuration.host):\(configuration.port)"
        var connectTimeout = timeval(configuration.connectTimeout)
        let status = amqp_socket_open_noblock(socket, configuration.host, Int32(configuration.port), &connectTimeout)
        guard status == AMQP_STATUS_OK.rawValue else {
            amqp_destroy_connection(state)
            throw AMQPError(.connectionFailed, "cannot connect to \(endpoint): \(errorText(status))")
        }
        _ = amqp_set_handshake_timeout(state, &connectTimeout)
        var rpcTimeout = timeval(configuration.rpcTimeout)
        _ = amqp_set_rpc_timeout(state, &rpcTimeout)

        let handle = AMQPConnectionHandle(state: state, configuration: configuration)
        let reply = platform_amqp_login(
            state, configuration.vhost, Int32(AMQP_DEFAULT_FRAME_SIZE), Int32(configuration.heartbeatSeconds),
            configuration.user, configuration.password, "\(configuration.connectionName) (\(role))"
        )
        do {
            try handle.check(reply, "login to \(endpoint) vhost '\(configuration.vhost)'")
            if amqp_channel_open(state, channel) == nil {
                try handle.check(amqp_get_rpc_reply(state), "channel.open")
            }
        } catch let error as AMQPError {
            handle.close()
            let hint = reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
                && reply.library_error == AMQP_STATUS_CONNECTION_CLOSED.rawValue
                ? " (the broker closed the connection: check user, password and vhost)" : ""
            throw AMQPError(.connectionFailed, error.message + hint, replyCode: error.replyCode, replyText: error.replyText)
        }
        return handle
    }

    /// Closes the connection (politely when the socket still works) and frees it.
    func close() {
        if canCloseGracefully {
            _ = amqp_connection_close(state, Int32(AMQP_REPLY_SUCCESS))
        }
        isUsable = false
        amqp_destroy_connection(state)
    }

    /// Sends a heartbeat frame so the broker keeps the connection while its thread does other work.
    func sendHeartbeat() {
        guard isUsable else { return }
        let status = platform_amqp_send_heartbeat(state)
        if status != AMQP_STATUS_OK.rawValue { markBroken() }
    }

    /// Throws unless `reply` is normal. With `declaring`, PRECONDITION_FAILED (406) means an
    /// exchange or queue exists with other properties: `AMQPError.Kind.topologyMismatch`.
    func check(_ reply: amqp_rpc_reply_t, _ context: @autoclosure () -> String, declaring: Bool = false) throws {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw libraryFailure(reply.library_error, context())
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            throw brokerClosed(reply.reply, context(), declaring: declaring)
        default:
            markBroken()
            throw AMQPError(.protocolError, "\(context()): no reply from librabbitmq")
        }
    }

    /// The error for a failed librabbitmq status; the connection is unusable afterwards.
    func libraryFailure(_ status: Int32, _ context: String) -> AMQPError {
        markBroken()
        return AMQPError(.connectionLost, "\(context): \(Self.errorText(status))")
    }

    /// Answers a broker's channel.close or connection.close and turns it into an error.
    func brokerClosed(_ method: amqp_method_t, _ context: String, declaring: Bool = false) -> AMQPError {
        markUnusable()
        switch method.id {
        case platform_amqp_method_channel_close:
            let close = method.decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            _ = platform_amqp_send_channel_close_ok(state, Self.channel)
            let kind: AMQPError.Kind = declaring && close.reply_code == 406 ? .topologyMismatch : .protocolError
            return AMQPError(kind, context, replyCode: close.reply_code, replyText: close.reply_text.string)
        case platform_amqp_method_connection_close:
            let close = method.decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            _ = platform_amqp_send_connection_close_ok(state)
            canCloseGracefully = false
            // 320 CONNECTION_FORCED: the broker is shutting down or an operator closed the connection.
            let kind: AMQPError.Kind = close.reply_code == 320 ? .connectionLost : .protocolError
            return AMQPError(kind, context, replyCode: close.reply_code, replyText: close.reply_text.string)
        default:
            markBroken()
            return AMQPError(.protocolError, "\(context): unexpected method 0x\(String(method.id, radix: 16))")
        }
    }

    /// The channel cannot go on (e.g. its consumer was cancelled), but the socket is fine.
    func markUnusable() {
        isUsable = false
    }

    func markBroken() {
        isUsable = false
        canCloseGracefully = false
    }

    static func errorText(_ status: Int32) -> String {
        amqp_error_string2(status).map { String(cString: $0) } ?? "librabbitmq status \(status)"
    }
}

extension timeval {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: time_t(max(seconds, 0)), tv_usec: suseconds_t(max(attoseconds, 0) / 1_000_000_000_000))
    }
}
