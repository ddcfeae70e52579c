import Hummingbird
import PlatformHTTP
import Synchronization

/// Cookies a handler sets. The generated layer writes one value per header, and a browser
/// sign-in sets three `Set-Cookie` fields, so handlers put them here and the middleware writes
/// each into the response. Only the routes under `prefix` get a jar: no other request pays for it.
enum ResponseCookies {
    static let prefix = "/api/auth/browser/"

    final class Jar: Sendable {
        let cookies = Mutex<[Cookie]>([])
    }

    @TaskLocal static var jar: Jar?

    static func set(_ cookies: [Cookie]) {
        assert(jar != nil, "cookies are only set under \(prefix)")
        jar?.cookies.withLock { $0 += cookies }
    }

    struct Middleware: RouterMiddleware {
        typealias Context = AppRequestContext

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            guard request.uri.path.hasPrefix(ResponseCookies.prefix) else { return try await next(request, context) }
            let jar = Jar()
            var response = try await ResponseCookies.$jar.withValue(jar) { try await next(request, context) }
            for cookie in jar.cookies.withLock({ $0 }) { response.setCookie(cookie) }
            return response
        }
    }
}
