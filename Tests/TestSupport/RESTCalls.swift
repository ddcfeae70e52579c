import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A REST response as route tests read it: the status, headers, and the JSON body.
public struct RESTResponse: Sendable, CustomStringConvertible {
    public let status: Int
    public let headers: HTTPFields
    public let text: String

    public init(status: Int, headers: HTTPFields, text: String) {
        self.status = status
        self.headers = headers
        self.text = text
    }

    /// The body as a JSON object (empty when the body is not one).
    public var json: [String: any Sendable] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: any Sendable]) ?? [:]
    }

    /// `error.code`, `error.message` and `error.details` of an error body.
    public var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    public var errorDetails: [String: String] { (json["error"] as? [String: Any])?["details"] as? [String: String] ?? [:] }

    public subscript(key: String) -> Any? { json[key] }

    public var description: String { "\(status) \(text.prefix(300))" }
}

extension TestClientProtocol {
    /// One request; `json` is sent as an `application/json` body.
    public func call(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: [String: Any]? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> RESTResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        let response = try await executeRequest(uri: path, method: method, headers: headers, body: body)
        return RESTResponse(
            status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }
}
