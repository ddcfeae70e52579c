import Foundation
import Hummingbird
import PlatformHTTP

/// The OpenAPI document, the page that renders it, and the token keys (JWKS).
struct DocsRoutes {
    let openAPI: ByteBuffer
    let docsPage: ByteBuffer
    let jwks: @Sendable () async throws -> String

    init(bundle: Bundle, jwks: @escaping @Sendable () async throws -> String) throws {
        func resource(_ name: String, _ type: String) throws -> ByteBuffer {
            guard let url = bundle.url(forResource: name, withExtension: type, subdirectory: "Resources") else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Resources/\(name).\(type)"])
            }
            return ByteBuffer(bytes: try Data(contentsOf: url))
        }
        openAPI = try resource("openapi", "json")
        docsPage = try resource("docs", "html")
        self.jwks = jwks
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPI))
        }
        router.get("docs") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: docsPage))
        }
        router.get(".well-known/jwks.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: try await jwks())))
        }
    }
}
