import Foundation  // Bundle: the gateway serves its resource bundle (documents, web front)
import Hummingbird
import PlatformHTTP

/// The operations the document tags `ops` and `keys` that the gateway serves by hand (the ops
/// routes every service has come from `PlatformHTTP`): the document itself as JSON and YAML, the
/// page that renders it, and the token keys (JWKS) the gateway checks tokens with, so that
/// endpoint costs no call to idm.
struct DocsRoutes {
    let openAPIJSON: ByteBuffer
    let openAPIYAML: ByteBuffer
    let docsPage: ByteBuffer
    let gate: AccessGate

    init(bundle: Bundle, gate: AccessGate) throws {
        openAPIJSON = try Self.resource("openapi", "json", in: bundle, folder: "Resources")
        openAPIYAML = try Self.resource("openapi", "yaml", in: bundle)
        docsPage = try Self.resource("docs", "html", in: bundle, folder: "Resources")
        self.gate = gate
    }

    /// The served document's bytes (`APIDocument` reads the policy of each operation from them).
    static func document(in bundle: Bundle) throws -> Data {
        Data(buffer: try resource("openapi", "json", in: bundle, folder: "Resources"))
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("openapi.json") { _, _ in Self.response(openAPIJSON, "application/json") }
        router.get("openapi.yaml") { _, _ in Self.response(openAPIYAML, "application/yaml") }
        router.get("docs") { _, _ in Self.response(docsPage, "text/html; charset=utf-8") }
        router.get(".well-known/jwks.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: gate.keys.json())))
        }
    }

    private static func response(_ body: ByteBuffer, _ contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: body))
    }

    private static func resource(_ name: String, _ type: String, in bundle: Bundle, folder: String? = nil) throws -> ByteBuffer {
        guard let url = bundle.url(forResource: name, withExtension: type, subdirectory: folder) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(folder.map { $0 + "/" } ?? "")\(name).\(type)"])
        }
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }
}
