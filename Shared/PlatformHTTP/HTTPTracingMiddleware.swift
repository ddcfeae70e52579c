import HTTPTypes
import Hummingbird
import Instrumentation
import Tracing

/// A server span per request (when tracing is on), continuing the caller's W3C trace context
/// (`traceparent`, `tracestate`) or starting a trace. Named by the matched route, it carries the
/// method, route, status and request id; a 5xx answer marks it as an error. The probes' ops
/// routes are not traced.
public struct HTTPTracingMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    static let untraced: Set<String> = ["/health", "/ready", "/metrics"]

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if Self.untraced.contains(request.uri.path) { return try await next(request, context) }
        var parent = ServiceContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let span = startSpan("\(request.method.rawValue) (no route)", context: parent, ofKind: .server)
        defer { span.end() }
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.path"] = request.uri.path
            attributes["request_id"] = context.requestID
        }
        func finish(status: Int) {
            if let route = context.endpointPath {
                span.operationName = "\(request.method.rawValue) \(route)"
                span.attributes["http.route"] = route
            }
            span.attributes["http.response.status_code"] = status
            if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
        }
        do {
            let response = try await ServiceContext.$current.withValue(span.context) { try await next(request, context) }
            finish(status: response.status.code)
            return response
        } catch {
            span.recordError(error)
            finish(status: (error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }
}

struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}
