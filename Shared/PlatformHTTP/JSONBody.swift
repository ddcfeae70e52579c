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

/// A JSON response with an explicit status.
public func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

public func noContent() -> Response { Response(status: .noContent) }
