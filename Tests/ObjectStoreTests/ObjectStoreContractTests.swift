import Crypto
import Foundation
import ObjectStore
import TestSupport
import Testing

/// One contract, two stores: the local folder always, and S3 against the test server
/// (`TEST_S3_URL`, moto in CI: `http://key:secret@127.0.0.1:port/bucket`).
@Suite("Object stores")
struct ObjectStoreContractTests {
    static func withLocalStore(_ body: (any ObjectStore) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("objects-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(try LocalFolderStore(root: root))
    }

    static func withS3Store(_ body: (any ObjectStore) async throws -> Void) async throws {
        let url = try TestServer.s3.require()
        guard let components = URLComponents(string: url), let user = components.user, let password = components.password,
            let endpoint = URL(string: "\(components.scheme ?? "http")://\(components.host ?? "127.0.0.1"):\(components.port ?? 80)")
        else { throw TestFailure("TEST_S3_URL must be http://KEY:SECRET@HOST:PORT/BUCKET") }
        let store = S3ObjectStore(
            configuration: .init(
                endpoint: endpoint, bucket: "t-\(UUID().uuidString.prefix(8).lowercased())", region: "us-east-1",
                credentials: .init(accessKey: user, secretKey: password)))
        try await store.ensureBucket()
        try await body(store)
    }

    static func file(_ bytes: [UInt8]) throws -> (url: URL, sha256: String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return (url, SigV4Signer.hex(SHA256.hash(data: Data(bytes))))
    }

    static func read(_ store: any ObjectStore, _ key: String) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in store.read(key: key, chunkSize: 64 * 1024) { bytes += chunk }
        return bytes
    }

    static func roundTrip(_ store: any ObjectStore) async throws {
        let bytes = (0..<(1_000_000 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let (file, hash) = try file(bytes)
        defer { try? FileManager.default.removeItem(at: file) }
        let key = "images/\(UUID().uuidString.lowercased())"
        try await store.put(key: key, file: file, size: Int64(bytes.count), sha256: hash, contentType: "image/png")
        #expect(try await read(store, key) == bytes)
        let listed = try await store.list(prefix: "images/")
        #expect(listed.map(\.key) == [key])
        #expect(listed.first?.size == Int64(bytes.count))
        try await store.delete(key: key)
        try await store.delete(key: key)  // gone already: not an error
        await #expect(throws: ObjectStoreError(.notFound, "no object \(key)")) { _ = try await read(store, key) }
        #expect(try await store.list(prefix: "images/").isEmpty)
        await #expect(throws: ObjectStoreError.self) {
            try await store.put(key: "../escape", file: file, size: 1, sha256: hash, contentType: "image/png")
        }
    }

    @Test func theLocalFolderKeepsTheContract() async throws {
        try await Self.withLocalStore(Self.roundTrip)
    }

    @Test(.needs(.s3)) func anS3BucketKeepsTheContract() async throws {
        try await Self.withS3Store(Self.roundTrip)
    }
}
