import Foundation
import Hummingbird
import PlatformHTTP

/// The OpenAPI document, the page that renders it, and the token keys (JWKS) the gateway itself
/// checks tokens with, so the endpoint costs no call to idm.
struct DocsRoutes {
    let openAPI: ByteBuffer
    let docsPage: ByteBuffer
    let gate: AccessGate

    init(bundle: Bundle, gate: AccessGate) throws {
        func resource(_ name: String, _ type: String) throws -> ByteBuffer {
            guard let url = bundle.url(forResource: name, withExtension: type, subdirectory: "Resources") else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Resources/\(name).\(type)"])
            }
            return ByteBuffer(bytes: try Data(contentsOf: url))
        }
        openAPI = try resource("openapi", "json")
        docsPage = try resource("docs", "html")
        self.gate = gate
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
                body: .init(byteBuffer: ByteBuffer(string: gate.keys.json())))
        }
    }
}
