import HTTPTypes
import Hummingbird
import PlatformCore
import PlatformHTTP

/// Request heads over 16 KiB (request line and headers) are refused with 431, on every route the
/// ops routes included. It sits at the edge, outside the platform's error handling, so it writes
/// the JSON error itself. (A head past 80 KiB never gets here: the HTTP parser refuses it and
/// `OversizedHeadHandler` answers.)
struct HeaderLimit: RouterMiddleware {
    typealias Context = AppRequestContext

    static let maximumBytes = 16 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let bytes = request.headers.reduce(request.uri.description.utf8.count) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        guard bytes > Self.maximumBytes else { return try await next(request, context) }
        let error = AppError(.headersTooLarge, "the request headers are larger than \(Self.maximumBytes / 1024) KiB")
        return ErrorBody(error).response(status: .init(code: error.httpStatus), requestID: context.requestID)
    }
}
