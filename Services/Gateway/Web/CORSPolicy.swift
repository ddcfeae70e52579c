import HTTPTypes
import Hummingbird
import PlatformAPI
import PlatformConfig
import PlatformHTTP

/// Cross-origin access for the origins listed in `GATEWAY_CORS_ORIGINS` (a frontend hosted
/// elsewhere) and for no one else: their preflights are answered with the methods the document
/// gives the path and the headers the API reads, with credentials; responses to them name the
/// origin. Other origins get no CORS header at all, so browsers keep them out.
struct CORSPolicy: RouterMiddleware {
    typealias Context = AppRequestContext

    let origins: Set<String>
    private let paths: APIPaths

    static let allowedHeaders = "Authorization, Content-Type, X-CSRF-Token, X-Request-ID, Idempotency-Key, If-None-Match"
    static let exposedHeaders = "X-Request-ID, Retry-After, ETag, Location, Content-Disposition"

    init(origins: Set<String>, document: APIDocument) {
        self.origins = origins
        paths = APIPaths(document)
    }

    /// Parses `GATEWAY_CORS_ORIGINS`: comma-separated `scheme://host[:port]` origins.
    static func origins(_ text: String) throws -> Set<String> {
        Set(
            try text.split(separator: ",").map { entry in
                let origin = entry.trimmingWhitespace()
                guard origin.hasPrefix("http://") || origin.hasPrefix("https://"), !origin.dropFirst(8).contains("/") else {
                    throw ConfigError(variable: "GATEWAY_CORS_ORIGINS", problem: "'\(origin.prefix(64))' is not an origin (scheme://host[:port])")
                }
                return origin
            })
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) else { return try await next(request, context) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard let allowed = paths.methods(of: request.uri.path) else { throw HTTPError(.notFound) }
            var headers = Self.headers(for: origin)
            headers[.accessControlAllowMethods] = allowed.joined(separator: ", ")
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlMaxAge] = "600"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: Self.headers(for: origin))
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        return response
    }

    private static func headers(for origin: String) -> HTTPFields {
        [.accessControlAllowOrigin: origin, .accessControlAllowCredentials: "true", .vary: "Origin"]
    }
}
