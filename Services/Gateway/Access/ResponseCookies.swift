import HTTPTypes
import Hummingbird
import PlatformHTTP
import Synchronization

/// Cookies a handler sets. The generated layer writes one value per header, and a browser
/// sign-in sets three `Set-Cookie` fields, so handlers put them here and the middleware writes
/// each into the response.
enum ResponseCookies {
    final class Jar: Sendable {
        let cookies = Mutex<[String]>([])
    }

    @TaskLocal static var jar: Jar?

    static func set(_ cookies: [String]) { jar?.cookies.withLock { $0 += cookies } }

    struct Middleware: RouterMiddleware {
        typealias Context = AppRequestContext

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let jar = Jar()
            var response = try await ResponseCookies.$jar.withValue(jar) { try await next(request, context) }
            for cookie in jar.cookies.withLock({ $0 }) { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
            return response
        }
    }
}
