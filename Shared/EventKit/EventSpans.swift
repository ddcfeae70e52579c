import PlatformTracing
import Tracing

/// The spans of events, when tracing is on. Publishing continues the trace the outbox row kept
/// (the transaction that wrote the event) in a producer span whose context the message carries;
/// consuming continues it in a consumer span, around the handler, so what the handler writes and
/// publishes belongs to the same trace.
enum EventSpans {
    /// Producer spans, one per event, and the events carrying their contexts.
    static func publishing(_ events: [DomainEvent]) -> ([DomainEvent], Publishing) {
        guard PlatformTracing.isEnabled else { return (events, Publishing(spans: [])) }
        var traced: [DomainEvent] = []
        var spans: [any Span] = []
        for event in events {
            let span = startSpan(
                "publish \(event.type)", context: PlatformTracing.context(from: event.traceContext), ofKind: .producer)
            describe(&span.attributes, event.type, id: event.id.lowercasedString, requestID: event.correlationID)
            spans.append(span)
            traced.append(
                DomainEvent(
                    id: event.id, type: event.type, payload: event.payload, correlationID: event.correlationID,
                    occurredAt: event.occurredAt, traceContext: PlatformTracing.currentHeaders(span.context)))
        }
        return (traced, Publishing(spans: spans))
    }

    struct Publishing {
        let spans: [any Span]

        func end(with results: [Result<Void, any Error>]) {
            for (span, result) in zip(spans, results) {
                if case .failure(let error) = result {
                    span.recordError(error)
                    span.setStatus(SpanStatus(code: .error))
                }
                span.end()
            }
        }
    }

    static func consuming(_ event: ReceivedEvent, _ handle: () async throws -> Void) async throws {
        try await PlatformTracing.withSpan(
            "consume \(event.type)", context: PlatformTracing.context(from: event.headers), ofKind: .consumer,
            attributes: { describe(&$0, event.type, id: event.id.lowercasedString, requestID: event.correlationID) }
        ) { _ in try await handle() }
    }

    private static func describe(_ attributes: inout SpanAttributes, _ type: String, id: String, requestID: String?) {
        attributes["messaging.system"] = "rabbitmq"
        attributes["messaging.destination.name"] = type
        attributes["messaging.message.id"] = id
        attributes["request_id"] = requestID
    }
}
