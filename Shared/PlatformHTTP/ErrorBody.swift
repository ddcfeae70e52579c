import FoundationEssentials
import Hummingbird
import NIOCore
import PlatformCore

/// `{"error": {"code", "message", "details"?}}`, the one error shape of every REST response.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Payload: Codable, Sendable, Equatable {
        public let code: String
        public let message: String
        public let details: [String: String]?
    }

    public let error: Payload

    /// `details` holds the field problems, and `retry_after_seconds` when a retry delay is known
    /// (the same number as the `Retry-After` header).
    public init(_ error: AppError) {
        var details = error.details
        if let seconds = error.retryAfterSeconds { details["retry_after_seconds"] = String(seconds) }
        self.error = Payload(code: error.code.rawValue, message: error.message, details: details.isEmpty ? nil : details)
    }

    public func response(status: HTTPResponse.Status, requestID: String?) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data(#"{"error":{"code":"internal","message":"internal error"}}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let requestID { headers[RequestIDMiddleware.header] = requestID }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
