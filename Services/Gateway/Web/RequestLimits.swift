import Contracts
import HTTPTypes
import Hummingbird
import PlatformAPI
import PlatformCore
import PlatformHTTP

/// What the edge refuses before a handler reads anything: request headers over 16 KiB (431), a
/// body whose `Content-Length` exceeds what such a body may be (413: 64 KiB of JSON, an image
/// upload's limit plus a form's framing), and a documented path asked with a method it does not
/// have (405 with `Allow`, where the router alone would say 404).
struct RequestLimits: RouterMiddleware {
    typealias Context = AppRequestContext

    static let maximumHeaderBytes = 16 * 1024
    static let maximumUploadBytes = Int(UploadLimits.imageBytes) + 64 * 1024
    static let uploadTypes = ["image/", "application/octet-stream", "multipart/form-data"]

    let paths: APIPaths

    /// An image upload (raw or a form) rather than JSON.
    static func isUpload(_ request: Request) -> Bool {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        return uploadTypes.contains { contentType.hasPrefix($0) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let headerBytes = request.headers.reduce(request.uri.description.utf8.count) {
            $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4
        }
        guard headerBytes <= Self.maximumHeaderBytes else {
            throw AppError(.headersTooLarge, "the request headers are larger than \(Self.maximumHeaderBytes / 1024) KiB")
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
}
