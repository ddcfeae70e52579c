import Hummingbird
import Logging

/// One log line per request with method, path, status and duration. Probe paths log at debug
/// so an orchestrator polling `/ready` does not flood the logs.
public struct RequestLogMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    private static let quietPaths: Set<String> = ["/health", "/ready", "/metrics"]

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let level: Logger.Level =
            Self.quietPaths.contains(request.uri.path) ? .debug : response.status.code >= 500 ? .error : .info
        context.logger.log(
            level: level, "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(milliseconds.fixed(2)),
            ])
        return response
    }
}
