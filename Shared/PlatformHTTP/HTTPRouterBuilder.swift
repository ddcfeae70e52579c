import Hummingbird
import PlatformCore

/// A router with the platform's middleware in order: request id (outermost, so even errors
/// carry it), metrics, request log, JSON errors; plus the ops routes.
public func makePlatformRouter(
    service: String, readiness: Readiness, translateError: @escaping @Sendable (any Error) -> AppError? = { _ in nil }
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware(translate: translateError))
    OpsRoutes.add(to: router, service: service, readiness: readiness)
    return router
}
