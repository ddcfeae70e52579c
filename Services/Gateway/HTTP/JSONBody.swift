import Foundation
import Hummingbird
import PlatformCore

/// Reads a JSON request body into `T`. Anything that does not fit gives 422 naming the field,
/// never a 500; bodies over 64 KiB are refused.
func decodeJSON<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
    let buffer: ByteBuffer
    do {
        buffer = try await request.body.collect(upTo: 64 * 1024)
    } catch {
        throw AppError(.invalidArgument, "the request body is too large")
    }
    let data = Data(buffer: buffer)
    do {
        return try JSONDecoder().decode(T.self, from: data.isEmpty ? Data("{}".utf8) : data)
    } catch let DecodingError.typeMismatch(expected, context) {
        throw fieldError(context, "must be \(describe(expected))")
    } catch let DecodingError.valueNotFound(expected, context) {
        throw fieldError(context, "must be \(describe(expected))")
    } catch let DecodingError.keyNotFound(key, _) {
        throw AppError(.invalidArgument, "a field is missing", details: [key.stringValue: "is required"])
    } catch {
        throw AppError(.invalidArgument, "the request body is not valid JSON")
    }
}

private func fieldError(_ context: DecodingError.Context, _ problem: String) -> AppError {
    let field = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    return field.isEmpty
        ? AppError(.invalidArgument, "the request body must be a JSON object")
        : AppError(.invalidArgument, "a field has the wrong type", details: [field: problem])
}

private func describe(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    case is Int.Type, is Int32.Type, is Int64.Type: "an integer"
    case is [String].Type: "an array of strings"
    default: "of another type"
    }
}

/// A JSON response with an explicit status.
func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

func noContent() -> Response { Response(status: .noContent) }
