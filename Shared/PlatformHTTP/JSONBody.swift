import Foundation
import Hummingbird
import PlatformCore

extension Request {
    /// Reads a JSON body into `T`. Anything that does not fit gives 422 naming the field (see
    /// `AppError(decoding:)`), never a 500; bodies over 64 KiB are refused; an empty body is `{}`.
    public func decodeJSON<T: Decodable>(_ type: T.Type) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: 64 * 1024)
        } catch {
            throw AppError(.invalidArgument, "the request body is too large")
        }
        let data = Data(buffer: buffer)
        do {
            return try JSONDecoder().decode(T.self, from: data.isEmpty ? Data("{}".utf8) : data)
        } catch let error as DecodingError {
            throw AppError(decoding: error)
        }
    }
}

extension AppError {
    /// A 422 that names the offending field of a JSON body, when there is one.
    public init(decoding error: DecodingError) {
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        func fieldError(_ context: DecodingError.Context, _ problem: String) -> AppError {
            let name = field(context.codingPath)
            return name.isEmpty
                ? AppError(.invalidArgument, "the request body must be a JSON object")
                : AppError(.invalidArgument, "a field has the wrong type", details: [name: problem])
        }
        switch error {
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            self = fieldError(context, "must be \(Self.describe(expected))")
        case .keyNotFound(let key, let context):
            self = AppError(
                .invalidArgument, "a field is missing", details: [field(context.codingPath + [key]): "is required"])
        default:
            self = AppError(.invalidArgument, "the request body is not valid JSON")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int32.Type, is Int64.Type: "an integer"
        case is [String].Type: "an array of strings"
        default: "of another type"
        }
    }
}

/// A JSON response with an explicit status.
public func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

public func noContent() -> Response { Response(status: .noContent) }
