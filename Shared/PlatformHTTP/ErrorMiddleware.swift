import Hummingbird
import Logging
import PlatformCore

/// Turns every error into the JSON error body with the HTTP status of its code (`AppError.Code`).
///
/// Domain errors keep their message; Hummingbird's own errors (unknown route, bad JSON) keep
/// their status; anything else is logged and answered as a bare 500 so no internal detail
/// reaches a client. `translate` lets a service map its own error types (a lost database is 503).
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    private let translate: @Sendable (any Error) -> AppError?

    public init(translate: @escaping @Sendable (any Error) -> AppError? = { _ in nil }) {
        self.translate = translate
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let appError = classify(error, context: context)
            var response = ErrorBody(appError).response(
                status: HTTPResponse.Status(code: appError.httpStatus), requestID: context.requestID)
            if appError.code == .unauthenticated { response.headers[.wwwAuthenticate] = "Bearer" }
            if let seconds = appError.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
            return response
        }
    }

    private func classify(_ error: any Error, context: Context) -> AppError {
        if let appError = error as? AppError { return appError }
        if let translated = translate(error) {
            if translated.code == .internal || translated.code == .unavailable {
                context.logger.error("request failed", metadata: ["error": "\(error)"])
            }
            return translated
        }
        if let httpError = error as? HTTPError {
            let message = httpError.body ?? httpError.status.reasonPhrase.lowercased()
            return AppError(AppError.Code(httpStatus: httpError.status.code), message.isEmpty ? "malformed request" : message)
        }
        if let decodingError = error as? DecodingError { return AppError(decoding: decodingError) }
        context.logger.error("unhandled error", metadata: ["error": "\(error)"])
        return AppError(.internal, "internal error")
    }
}
