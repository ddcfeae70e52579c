import Hummingbird
import OpenAPIRuntime
import PlatformCore

/// Unwraps what the generated code throws, so the platform's error middleware sees the real
/// error (and never logs the `ServerError` around it, which prints the request's headers,
/// the bearer token among them). A handler's or the policy's own `AppError` keeps its code, a
/// body or value that does not decode is 422 naming the field, and the runtime's own refusals
/// keep their status (a wrong content type is 415).
public struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServerError {
            throw Self.unwrap(error)
        }
    }

    static func unwrap(_ error: ServerError) -> any Error {
        switch error.underlyingError {
        case let appError as AppError: return appError
        case let decoding as DecodingError: return AppError(decoding: decoding)
        default:
            switch error.httpStatus.code {
            case 400: return AppError(.invalidArgument, error.causeDescription)
            case 415: return AppError(.unsupportedMediaType, "the request body must be application/json")
            default: return error.underlyingError
            }
        }
    }
}
