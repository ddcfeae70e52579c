import Instrumentation
import Synchronization
import Tracing

/// Whether this process records spans, and the W3C trace context as plain headers: what the
/// transports (HTTP, gRPC metadata, AMQP headers, an outbox row) carry between processes.
///
/// Off unless `PlatformTelemetry.bootstrap` started an exporter: every instrumented place asks
/// `isEnabled` first and then does no tracing work at all, so an untraced platform pays one
/// atomic load per instrumented call.
public enum PlatformTracing {
    private static let enabled = Atomic<Bool>(false)

    public static var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// Called once, after `InstrumentationSystem.bootstrap`.
    public static func markEnabled() { enabled.store(true, ordering: .relaxed) }

    /// The current trace context as headers (`traceparent`, `tracestate`); empty when tracing is
    /// off or no span is current.
    public static func currentHeaders(_ context: ServiceContext? = ServiceContext.current) -> [String: String] {
        guard isEnabled, let context else { return [:] }
        var headers: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &headers, using: DictionaryInjector())
        return headers
    }

    /// The trace context the headers carry, as the parent of the spans that continue it.
    public static func context(from headers: [String: String]) -> ServiceContext {
        var context = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: DictionaryExtractor())
        return context
    }

    /// Runs `body` in a span when tracing is on (errors are recorded on it), and plainly otherwise.
    public static func withSpan<T>(
        _ name: String, context: ServiceContext? = nil, ofKind kind: SpanKind = .internal,
        attributes: (inout SpanAttributes) -> Void = { _ in },
        isolation: isolated (any Actor)? = #isolation, _ body: ((any Span)?) async throws -> T
    ) async rethrows -> T {
        guard isEnabled else { return try await body(nil) }
        let span = InstrumentationSystem.tracer.startSpan(name, context: context ?? .current ?? .topLevel, ofKind: kind)
        attributes(&span.attributes)
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await body(span) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

public struct DictionaryInjector: Injector {
    public init() {}
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

public struct DictionaryExtractor: Extractor {
    public init() {}
    public func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}
