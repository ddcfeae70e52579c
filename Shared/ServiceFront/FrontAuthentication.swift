import Hummingbird
import PlatformCore
import PlatformHTTP

/// Binds the requester of each request to a service's own REST front: anonymous without an
/// `Authorization` header, 401 for a token idm refuses. Handlers read `FrontRequester.current`.
public struct FrontAuthentication: RouterMiddleware {
    public typealias Context = AppRequestContext

    private let tokens: TokenIntrospection

    public init(tokens: TokenIntrospection) { self.tokens = tokens }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let requester = try await tokens.requester(authorization: request.headers[.authorization])
        return try await FrontRequester.$bound.withValue(requester) { try await next(request, context) }
    }
}

public enum FrontRequester {
    @TaskLocal static var bound: Requester = .anonymous

    /// The requester of the request being handled (anonymous when no token was sent).
    public static var current: Requester { bound }

    /// The requester of an operation that needs a token: 401 when none was sent.
    public static func signedIn() throws(AppError) -> Requester {
        try bound.requireSignedIn()
        return bound
    }
}
