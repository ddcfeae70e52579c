import FoundationEssentials
import HTTPTypes
import Hummingbird
import PlatformCore

/// Accepts a well-formed `X-Request-ID` or creates one, echoes it on the response, tags the
/// request's logger with it, and binds `RequestScope` so logs and downstream RPCs carry it.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    public static let header = HTTPField.Name("X-Request-ID")!

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let supplied = request.headers[Self.header].flatMap { RequestScope.isAcceptableRequestID($0) ? $0 : nil }
        let requestID = supplied ?? RequestScope.newRequestID()
        context.requestID = requestID
        let authorization = request.headers[.authorization]
        var response = try await RequestScope.$requestID.withValue(requestID) {
            try await RequestScope.$authorization.withValue(authorization) {
                try await next(request, context)
            }
        }
        response.headers[Self.header] = requestID
        return response
    }
}
