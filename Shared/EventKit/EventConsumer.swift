import AMQP
import Logging
import PlatformCore
import ServiceLifecycle

/// Runs a service's queue consumer until shutdown and turns the handler's result into the
/// message's fate: done or duplicate → ack (after the handler committed); `EventRejected` or an
/// invalid-argument `AppError` → dead-letter now; anything else → retry, bounded by the queue's
/// delivery limit, then dead-letter.
public struct EventConsumer: Service {
    public typealias Handler = @Sendable (ReceivedEvent) async throws -> Void

    private let consumer: AMQPConsumer
    private let handler: Handler
    private let onConnected: @Sendable () async -> Void
    private let logger: Logger

    public init(
        consumer: AMQPConsumer, logger: Logger, onConnected: @escaping @Sendable () async -> Void = {},
        handler: @escaping Handler
    ) {
        self.consumer = consumer
        self.handler = handler
        self.onConnected = onConnected
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { [consumer, handler, logger, onConnected] in
            try await consumer.run(onConnected: onConnected) { message in
                await Self.outcome(of: message, handler: handler, logger: logger)
            }
        }
    }

    public static func outcome(of message: IncomingMessage, handler: Handler, logger: Logger) async -> ConsumeOutcome {
        let event: ReceivedEvent
        do {
            event = try ReceivedEvent(message)
        } catch {
            logger.error("rejecting an event", metadata: ["type": "\(message.routingKey)", "reason": "\(error)"])
            return .reject
        }
        return await RequestScope.$requestID.withValue(event.correlationID) {
            do {
                try await EventSpans.consuming(event) { try await handler(event) }
                return .ack
            } catch let error as EventRejected {
                logger.error("rejecting an event", metadata: ["event_id": "\(event.id)", "type": "\(event.type)", "reason": "\(error)"])
                return .reject
            } catch let error as AppError where error.code == .invalidArgument {
                logger.error("rejecting an event", metadata: ["event_id": "\(event.id)", "type": "\(event.type)", "reason": "\(error)"])
                return .reject
            } catch {
                logger.warning(
                    "handling an event failed; it will be retried",
                    metadata: ["event_id": "\(event.id)", "type": "\(event.type)", "attempt": "\(message.deliveryCount + 1)", "error": "\(error)"])
                return .retry
            }
        }
    }
}
