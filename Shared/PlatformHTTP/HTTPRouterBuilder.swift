import Hummingbird
import PlatformCore
import PlatformMetrics

/// A router with the platform's middleware in order: request id (outermost, so even errors
/// carry it), metrics, request log, JSON errors; plus the ops routes.
public func makePlatformRouter(
    service: String, readiness: Readiness, translateError: @escaping @Sendable (any Error) -> AppError? = { _ in nil }
) -> Router<AppRequestContext> {
    _ = PlatformMetrics.registry  // swift-metrics must be bootstrapped before the middleware creates its metrics
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware(translate: translateError))
    OpsRoutes.add(to: router, service: service, readiness: readiness)
    return router
}
