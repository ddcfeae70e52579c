import FoundationEssentials
import Hummingbird
import PlatformAPI
import PlatformCore

/// JSON in and out of a service's own REST front, encoded like the gateway's: compact, sorted
/// keys, times as RFC 3339 UTC with milliseconds; bodies at most 64 KiB.
public enum FrontJSON {
    public static let bodyLimit = APIMiddleware.maximumJSONBody

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.rfc3339)
        }
        return encoder
    }()

    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    public static func noContent() -> Response { Response(status: .noContent) }

    /// The body as `T`: 415 unless it is JSON, 413 beyond the limit, 422 naming a bad field.
    public static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("application/json") else {
            throw AppError(.unsupportedMediaType, "the body must be application/json")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: bodyLimit)
        } catch {
            throw AppError(.payloadTooLarge, "the body exceeds \(bodyLimit) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw AppError(decoding: error)
        }
    }
}

/// The platform's paging envelope: `{items, page, page_size, total}`.
public struct PageView<Item: Encodable>: Encodable {
    public let items: [Item]
    public let page: Int
    public let pageSize: Int
    public let total: Int

    public init<Source>(_ page: Page<Source>, _ transform: (Source) -> Item) {
        items = page.items.map(transform)
        self.page = page.request.page
        pageSize = page.request.size
        total = page.total
    }

    enum CodingKeys: String, CodingKey {
        case items, page, total
        case pageSize = "page_size"
    }
}

/// A list without paging: `{items}`.
public struct ListView<Item: Encodable>: Encodable {
    public let items: [Item]

    public init(_ items: [Item]) { self.items = items }
}

/// A JSON field that tells "absent" (leave alone) from `null` (clear) in a partial update.
public enum Patch<Value: Decodable & Sendable>: Decodable, Sendable {
    case absent
    case null
    case value(Value)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .null : .value(try container.decode(Value.self))
    }

    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }
}

extension KeyedDecodingContainer {
    public func decode<Value>(_ type: Patch<Value>.Type, forKey key: Key) throws -> Patch<Value> {
        guard contains(key) else { return .absent }
        return try decodeNil(forKey: key) ? .null : .value(try decode(Value.self, forKey: key))
    }
}

/// An optional that is written as `null` when nil (a synthesized `Encodable` leaves the key out).
public struct Nullable<Value: Encodable>: Encodable {
    public let value: Value?

    public init(_ value: Value?) { self.value = value }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}
