import Hummingbird
import PlatformCore
import PlatformMetrics
import PlatformTracing

/// A router with the platform's middleware in order: request id (outermost, so even errors
/// carry it), a span per request (only when tracing is on), the service's `edge` middleware
/// (which sees every response), metrics, request log, JSON errors; plus the ops routes (their
/// detail for whom `opsAccess` admits, everyone when nil).
public func makePlatformRouter(
    service: String, version: String = "dev", readiness: Readiness,
    translateError: @escaping @Sendable (any Error) -> AppError? = { _ in nil },
    opsAccess: OpsRoutes.Access? = nil,
    edge: (Router<AppRequestContext>) -> Void = { _ in }
) -> Router<AppRequestContext> {
    _ = PlatformMetrics.registry  // swift-metrics must be bootstrapped before the middleware creates its metrics
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    if PlatformTracing.isEnabled { router.add(middleware: HTTPTracingMiddleware()) }
    edge(router)
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware(translate: translateError))
    OpsRoutes.add(to: router, service: service, version: version, readiness: readiness, access: opsAccess)
    return router
}
