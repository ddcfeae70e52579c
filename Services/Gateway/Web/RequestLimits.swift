import Contracts
import HTTPTypes
import Hummingbird
import PlatformAPI
import PlatformCore
import PlatformHTTP

/// What the edge refuses before a handler reads anything: a body whose `Content-Length` exceeds
/// what such a body may be (413: 64 KiB of JSON, an image upload's limit plus a form's framing), a
/// query that does not decode to UTF-8 (422: the generated code would drop such a filter and list
/// everything), and a documented path asked with a method it does not have (405 with `Allow`,
/// where the router alone would say 404). Oversized headers are `HeaderLimit`'s.
struct RequestLimits: RouterMiddleware {
    typealias Context = AppRequestContext

    static let maximumUploadBytes = Int(UploadLimits.imageBytes) + 64 * 1024
    static let uploadTypes = ["image/", "application/octet-stream", "multipart/form-data"]

    let paths: APIPaths

    /// An image upload (raw or a form) rather than JSON.
    static func isUpload(_ request: Request) -> Bool {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        return uploadTypes.contains { contentType.hasPrefix($0) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let query = request.uri.query, !Self.decodesAsUTF8(query) {
            throw AppError(.invalidArgument, "the query is not valid", details: ["query": "must be UTF-8 once percent-decoded"])
        }
        if let length = request.headers[.contentLength].flatMap(Int.init) {
            let limit = Self.isUpload(request) ? Self.maximumUploadBytes : APIMiddleware.maximumJSONBody
            guard length <= limit else {
                throw AppError(.payloadTooLarge, "the request body is larger than \(limit / 1024) KiB")
            }
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let allowed = paths.methods(of: request.uri.path), !allowed.contains(request.method.rawValue) else { throw error }
            var response = ErrorBody(AppError(.methodNotAllowed, "\(request.uri.path) takes \(allowed.joined(separator: ", "))"))
                .response(status: .methodNotAllowed, requestID: context.requestID)
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        }
    }

    /// Whether the percent-decoded query is UTF-8.
    static func decodesAsUTF8(_ query: String) -> Bool {
        var bytes: [UInt8] = []
        var rest = query.utf8[...]
        while let byte = rest.popFirst() {
            if byte == UInt8(ascii: "%"), rest.count >= 2, let value = UInt8(String(decoding: rest.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                rest = rest.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) != nil
    }
}
