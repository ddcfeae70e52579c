import CompressNIO
import Crypto
import Foundation  // Bundle: the gateway serves its resource bundle (documents, web front)
import HTTPTypes
import Hummingbird
import PlatformHTTP

/// The web application's files (`Resources/web`), read once at start-up: each with its type, an
/// `ETag` from its content and a gzip copy. There is no build step, so names carry no hash:
/// browsers revalidate every load (`Cache-Control: no-cache`) and mostly get 304.
struct WebAssets: Sendable {
    struct Asset: Sendable {
        let contentType: String
        let body: ByteBuffer
        let gzipped: ByteBuffer
        let etag: String
    }

    let files: [String: Asset]
    let page: Asset

    init(bundle: Bundle) throws {
        guard let folder = bundle.url(forResource: "web", withExtension: nil, subdirectory: "Resources") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Resources/web"])
        }
        var files: [String: Asset] = [:]
        for url in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) {
            guard let type = Self.types[url.pathExtension] else { continue }
            files[url.lastPathComponent] = try Self.asset(Data(contentsOf: url), type: type)
        }
        guard let page = files.removeValue(forKey: "index.html") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Resources/web/index.html"])
        }
        self.files = files
        self.page = page
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("/") { request, _ in Self.response(page, to: request) }
        router.get("web/:file") { request, context in
            guard let asset = files[try context.parameters.require("file")] else { throw HTTPError(.notFound, message: "no such file") }
            return Self.response(asset, to: request)
        }
    }

    static func response(_ asset: Asset, to request: Request) -> Response {
        let gzip = acceptsGzip(request.headers[.acceptEncoding])
        let etag = gzip ? asset.etag.dropLast() + "-gz\"" : asset.etag
        var headers: HTTPFields = [.cacheControl: "no-cache", .eTag: String(etag), .vary: "Accept-Encoding"]
        if let known = request.headers[.ifNoneMatch], known.split(separator: ",").contains(where: { $0.trimmingWhitespace() == etag }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        if gzip { headers[.contentEncoding] = "gzip" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzip ? asset.gzipped : asset.body))
    }

    /// `gzip` listed with a weight above 0 (or `*`).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.lowercased().split(separator: ",").contains { entry in
            let parts = entry.split(separator: ";").map { $0.trimmingWhitespace() }
            guard parts.first == "gzip" || parts.first == "*" else { return false }
            return !parts.dropFirst().contains { $0.replacing(" ", with: "").hasPrefix("q=0") && !$0.contains("q=0.") }
        }
    }

    private static func asset(_ data: Data, type: String) throws -> Asset {
        let body = ByteBuffer(bytes: data)
        var consumed = body  // compressing reads the buffer it is given
        let digest = SHA256.hash(data: data).prefix(12).hexEncoded
        return Asset(contentType: type, body: body, gzipped: try consumed.compress(with: .gzip()), etag: "\"\(digest)\"")
    }

    private static let types = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml",
    ]
}
