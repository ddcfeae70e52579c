import BlockingIO
import FoundationEssentials
import Glibc
import PlatformCore

/// Objects as files under a folder (the native stack's default). A put writes `<key>.partial`
/// and renames it into place, so a reader never sees half an object. File calls run on the
/// store's own threads.
public struct LocalFolderStore: ObjectStore {
    public let root: URL
    private let pool: BlockingThreadPool

    public init(root: URL, threads: Int = 4) throws {
        self.root = root
        self.pool = BlockingThreadPool(name: "object-store", threads: threads)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    public func put(key: String, file: URL, size: Int64, sha256: String, contentType: String) async throws {
        let target = try url(of: key)
        try await pool.run {
            let manager = FileManager.default
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let partial = target.appendingPathExtension("partial")
            try? manager.removeItem(at: partial)
            try manager.copyItem(at: file, to: partial)
            guard rename(partial.path, target.path) == 0 else {
                throw ObjectStoreError(.failed, "cannot move \(partial.lastPathComponent) into place (errno \(errno))")
            }
        }
    }

    public func read(key: String, chunkSize: Int) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let handle = try await pool.run { () throws -> OpenFile in
                        let path = try url(of: key)
                        do { return try OpenFile(reading: path.path) } catch {
                            throw ObjectStoreError(.notFound, "no object \(key)")
                        }
                    }
                    defer { handle.close() }
                    while !Task.isCancelled {
                        let chunk = try await pool.run { try handle.read(upTo: chunkSize) }
                        if chunk.isEmpty { break }
                        continuation.yield(chunk)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func delete(key: String) async throws {
        let target = try url(of: key)
        try await pool.run {
            guard FileManager.default.fileExists(atPath: target.path) else { return }
            try FileManager.default.removeItem(at: target)
        }
    }

    public func list(prefix: String) async throws -> [StoredObject] {
        let root = self.root.standardizedFileURL
        return try await pool.run {
            guard FileManager.default.fileExists(atPath: root.path) else { return [] }
            var objects: [StoredObject] = []
            for key in try FileManager.default.subpathsOfDirectory(atPath: root.path) where key.hasPrefix(prefix) {
                let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(key).path)
                guard attributes[.type] as? FileAttributeType == .typeRegular, !key.hasSuffix(".partial") else { continue }
                objects.append(
                    StoredObject(
                        key: key, size: Self.size(attributes[.size]),
                        modifiedAt: attributes[.modificationDate] as? Date ?? Date()))
            }
            return objects.sorted { $0.key < $1.key }
        }
    }

    /// The service (FoundationEssentials alone) gets the size as a UInt, a process that also loads
    /// Foundation (the tests) as an NSNumber, which only Foundation's bridging casts to Int64.
    static func size(_ attribute: Any?) -> Int64 {
        (attribute as? any BinaryInteger).flatMap { Int64(exactly: $0) } ?? (attribute as? Int64) ?? 0
    }

    func url(of key: String) throws -> URL {
        root.appendingPathComponent(try ObjectStoreError.checked(key))
    }
}
