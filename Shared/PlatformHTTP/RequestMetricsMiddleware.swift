import Hummingbird
import Metrics
import PlatformMetrics

/// Per-request HTTP metrics under the names of Hummingbird's `MetricsMiddleware`
/// (`hb.requests`, `hb.request.errors`, `http.server.request.duration`,
/// `http.server.active_requests`), written for `AppRequestContext` alone: the generic original
/// costs every request runtime generic-metadata lookups and a wrapped body closure, which made it
/// the dearest middleware of the gateway's `/health`. A response whose length is known is
/// recorded when the handler returns; a streamed one when its body has been written, as before.
public struct RequestMetricsMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    private let handles = RequestMetricHandles()

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let active = handles.active(request.method)
        active.increment()
        do {
            var response = try await next(request, context)
            let outcome = handles.outcome(context.endpointPath ?? "Unknown", request.method, response.status)
            if response.body.contentLength != nil {
                outcome.record(since: start)
                active.decrement()
            } else {
                let body = response.body
                response.body = ResponseBody { writer in
                    defer {
                        outcome.record(since: start)
                        active.decrement()
                    }
                    try await body.write(writer)
                }
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let outcome = handles.outcome(context.endpointPath ?? "NotFound", request.method, status)
            outcome.requests.increment()
            outcome.errors.increment()
            active.decrement()
            throw error
        }
    }
}

/// The metric handles per method and per (route, method, status), made on first use.
struct RequestMetricHandles: Sendable {
    struct Outcome: Sendable {
        let requests: Counter
        let errors: Counter
        let duration: Timer

        func record(since start: ContinuousClock.Instant) {
            requests.increment()
            duration.recordNanoseconds(Int64((ContinuousClock.now - start) / .nanoseconds(1)))
        }
    }

    private struct OutcomeKey: Hashable, Sendable {
        let route: String
        let method: HTTPRequest.Method
        let status: Int
    }

    private let activeByMethod = MetricHandles<HTTPRequest.Method, Meter>()
    private let outcomes = MetricHandles<OutcomeKey, Outcome>()

    func active(_ method: HTTPRequest.Method) -> Meter {
        activeByMethod.handle(method) {
            Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
        }
    }

    func outcome(_ route: String, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status) -> Outcome {
        outcomes.handle(OutcomeKey(route: route, method: method, status: status.code)) {
            let dimensions = [
                ("http.route", route), ("http.request.method", method.rawValue), ("http.response.status_code", "\(status.code)"),
            ]
            return Outcome(
                requests: Counter(label: "hb.requests", dimensions: dimensions),
                errors: Counter(
                    label: "hb.request.errors",
                    dimensions: [("http.route", route), ("http.request.method", method.rawValue), ("error.type", "\(status.code)")]),
                duration: Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds))
        }
    }
}
