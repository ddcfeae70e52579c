import DatabaseKit
import EventKit
import Testing

/// The pieces of tracing that need no exporter: the outbox column's form of the trace context and
/// the operation names database spans carry (never a statement's text).
@Suite struct TraceContextTests {
    @Test func anEventsTraceContextSurvivesItsOutboxColumn() {
        let headers = ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "vendor=a=b"]
        let event = DomainEvent(type: "order.created", payload: "{}", correlationID: nil, traceContext: headers)
        #expect(DomainEvent.traceContext(text: event.traceContextText) == headers)
        #expect(event.outgoingMessage.headers == headers)
        let untraced = DomainEvent(type: "order.created", payload: "{}", correlationID: nil)
        #expect(untraced.traceContext.isEmpty && untraced.traceContextText == nil)
        #expect(DomainEvent.traceContext(text: nil).isEmpty)
    }

    @Test func operationsAreTheFirstKeywordOnly() {
        #expect(DatabaseSpans.operation(of: "SELECT id FROM users WHERE email = $1") == "SELECT")
        #expect(DatabaseSpans.operation(of: "\n  insert into outbox (id) values ($1)") == "INSERT")
        #expect(DatabaseSpans.operation(of: "(SELECT 1) UNION (SELECT 2)") == "SELECT")
        #expect(DatabaseSpans.operation(of: "'; DROP TABLE users") == "STATEMENT")
    }
}
