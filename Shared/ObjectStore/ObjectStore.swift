import FoundationEssentials
import PlatformCore

/// Where media keeps its objects: a local folder or an S3 bucket, behind one protocol. Keys are
/// the service's own (`images/<uuid>`): letters, digits, `-`, `_`, `.` and `/`.
public protocol ObjectStore: Sendable {
    /// Stores the bytes of `file` (`size` bytes, SHA-256 `sha256` in hex) under `key`, replacing
    /// what was there; the object is whole or absent, never partial.
    func put(key: String, file: URL, size: Int64, sha256: String, contentType: String) async throws
    /// The object's bytes, `chunkSize` at a time; fails with `ObjectStoreError.notFound`.
    func read(key: String, chunkSize: Int) -> AsyncThrowingStream<[UInt8], any Error>
    /// Removes the object; removing a missing one is not an error.
    func delete(key: String) async throws
    /// Every object whose key starts with `prefix`.
    func list(prefix: String) async throws -> [StoredObject]
}

public struct StoredObject: Sendable, Equatable {
    public let key: String
    public let size: Int64
    public let modifiedAt: Date

    public init(key: String, size: Int64, modifiedAt: Date) {
        self.key = key
        self.size = size
        self.modifiedAt = modifiedAt
    }
}

public struct ObjectStoreError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case notFound
        case invalidKey
        /// The store answered with an error (S3 status and code) or could not be reached.
        case failed
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "ObjectStoreError.\(kind): \(message)" }

    static func checked(_ key: String) throws -> String {
        guard !key.isEmpty, key.count <= 512, !key.hasPrefix("/"), !key.contains(".."),
            key.unicodeScalars.allSatisfy({ $0.isASCII && ($0.isASCIIAlphanumeric || "-_./".unicodeScalars.contains($0)) })
        else { throw ObjectStoreError(.invalidKey, "'\(key.prefix(64))' is not an object key") }
        return key
    }
}
