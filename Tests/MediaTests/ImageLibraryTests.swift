import DatabaseKit
import Foundation
import MediaService
import ObjectStore
import PlatformCore
import Postgres
import Synchronization
import TestSupport
import Testing

/// Chunks of an upload, counting how many were taken (a refused upload must stop being read).
final class ChunkSource: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let chunks: [[UInt8]]
    let taken = Mutex(0)

    init(_ bytes: [UInt8], chunkSize: Int = 64 * 1024) {
        chunks = stride(from: 0, to: bytes.count, by: chunkSize).map { Array(bytes[$0..<Swift.min($0 + chunkSize, bytes.count)]) }
    }

    struct Iterator: AsyncIteratorProtocol {
        let source: ChunkSource
        var index = 0

        mutating func next() async throws -> [UInt8]? {
            guard index < source.chunks.count else { return nil }
            defer { index += 1 }
            source.taken.withLock { $0 += 1 }
            return source.chunks[index]
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(source: self) }
}

/// The library on the live Postgres server, once over a local folder and once over S3 (moto).
@Suite("Image library", .needs(.postgres))
struct ImageLibraryTests {
    enum StoreKind: String, CaseIterable, Sendable {
        case local, s3
    }

    struct Media {
        let library: ImageLibrary
        let objects: any ObjectStore
        let store: PostgresImageStore
    }

    let ann = Requester(userID: UUID(), roles: ["customer"], locationID: nil)
    let bob = Requester(userID: UUID(), roles: ["customer"], locationID: nil)
    let admin = Requester(userID: UUID(), roles: ["admin"], locationID: nil)

    func withMedia(_ kind: StoreKind, _ body: (Media) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("media-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let objects: any ObjectStore
        switch kind {
        case .local:
            objects = try LocalFolderStore(root: root.appendingPathComponent("objects"))
        case .s3:
            let url = try #require(URLComponents(string: try TestServer.s3.require()))
            let s3 = S3ObjectStore(
                configuration: .init(
                    endpoint: try #require(URL(string: "http://\(url.host ?? "127.0.0.1"):\(url.port ?? 80)")),
                    bucket: "media-\(UUID().uuidString.prefix(8).lowercased())", region: "us-east-1",
                    credentials: .init(accessKey: url.user ?? "", secretKey: url.password ?? "")))
            try await s3.ensureBucket()
            objects = s3
        }
        let migrations = try ServiceSchemas.migrations(of: "Media", eventTables: .init(outbox: false, inbox: true))
        try await TestPostgres.withSchema(migrations: migrations, maxConnections: 8) { client in
            let store = PostgresImageStore(client: client)
            let library = ImageLibrary(
                store: store, objects: objects, links: SignedLinks(key: Array("0123456789abcdef0123456789abcdef".utf8)),
                spoolDirectory: root.appendingPathComponent("spool"))
            try await body(Media(library: library, objects: objects, store: store))
        }
    }

    func upload(
        _ media: Media, _ bytes: [UInt8], by requester: Requester, declared: String? = nil, visibility: Visibility? = nil,
        purpose: Purpose = .image
    ) async throws -> StoredImage {
        try await media.library.upload(
            UploadMetadata(fileName: "photo", declaredContentType: declared, visibility: visibility, purpose: purpose),
            chunks: ChunkSource(bytes), by: requester)
    }

    func read(_ media: Media, _ id: UUID, by requester: Requester, expires: Int64? = nil, signature: String? = nil) async throws
        -> [UInt8]
    {
        var bytes: [UInt8] = []
        for try await chunk in try await media.library.read(id.uuidString, expires: expires, signature: signature, by: requester).bytes {
            bytes += chunk
        }
        return bytes
    }

    func objectKeys(_ media: Media) async throws -> [String] { try await media.objects.list(prefix: "images/").map(\.key) }

    @Test(arguments: StoreKind.allCases)
    func uploadListReadAndDelete(kind: StoreKind) async throws {
        if kind == .s3 && !TestServer.s3.isEnabled { return }  // by hand without TEST_S3_URL; scripts/test sets it
        try await withMedia(kind) { media in
            for (bytes, type) in [
                (ImageFixtures.png, "image/png"), (ImageFixtures.jpeg, "image/jpeg"), (ImageFixtures.webpLossy, "image/webp"),
                (ImageFixtures.gif, "image/gif"),
            ] {
                let image = try await upload(media, bytes, by: ann, declared: type)
                #expect((image.contentType, image.width, image.height, image.sizeBytes) == (type, 3, 2, Int64(bytes.count)))
                #expect(try await read(media, image.id, by: ann) == bytes)
            }
            let page = try await media.library.images(owner: nil, try PageRequest(), by: ann)
            #expect(page.total == 4)
            #expect(try await objectKeys(media).count == 4)

            // Someone else's private image is not found, to read as to delete; a signed link reads it.
            let image = page.items[0]
            let bobReads = await Fixtures.appError { _ = try await read(media, image.id, by: bob) }
            #expect(bobReads?.code == .notFound)
            let bobDeletes = await Fixtures.appError { try await media.library.delete(image.id.uuidString, by: bob) }
            #expect(bobDeletes?.code == .notFound)
            let link = try #require(URLComponents(string: media.library.url(of: image))?.queryItems)
            let expires = try #require(link.first { $0.name == "expires" }?.value.flatMap { Int64($0) })
            let signature = try #require(link.first { $0.name == "signature" }?.value)
            #expect(try await read(media, image.id, by: .anonymous, expires: expires, signature: signature).count == Int(image.sizeBytes))
            let tampered = await Fixtures.appError {
                _ = try await read(media, image.id, by: .anonymous, expires: expires + 1, signature: signature)
            }
            #expect(tampered?.code == .permissionDenied)

            try await media.library.delete(image.id.uuidString, by: ann)
            #expect(try await !objectKeys(media).contains(image.objectKey))
            #expect(try await media.library.images(owner: nil, try PageRequest(), by: ann).total == 3)
            #expect(try await media.library.images(owner: ann.userID?.uuidString, try PageRequest(), by: admin).total == 3)
        }
    }

    @Test func whatIsNotAnImageIsRefusedAndNothingIsKept() async throws {
        try await withMedia(.local) { media in
            let text = await Fixtures.appError { _ = try await upload(media, ImageFixtures.text, by: ann) }
            #expect(text?.code == .unsupportedMediaType)
            let disguised = await Fixtures.appError { _ = try await upload(media, ImageFixtures.png, by: ann, declared: "image/jpeg") }
            #expect(disguised?.code == .unsupportedMediaType)
            let huge = await Fixtures.appError {
                _ = try await upload(media, ImageFixtures.pngHeader(width: 8000, height: 6000) + [UInt8](repeating: 0, count: 100), by: ann)
            }
            #expect(huge?.code == .payloadTooLarge)
            let keys = try await objectKeys(media)
            let images = try await media.library.images(owner: nil, try PageRequest(), by: ann)
            #expect(keys.isEmpty)
            #expect(images.total == 0)
        }
    }

    @Test func anOversizedUploadStopsBeingRead() async throws {
        try await withMedia(.local) { media in
            let source = ChunkSource(ImageFixtures.png + [UInt8](repeating: 7, count: 11 * 1024 * 1024))
            let refused = await Fixtures.appError {
                _ = try await media.library.upload(
                    UploadMetadata(fileName: "big.png", declaredContentType: nil, visibility: nil, purpose: .image), chunks: source,
                    by: ann)
            }
            #expect(refused?.code == .payloadTooLarge)
            let taken = source.taken.withLock { $0 }
            #expect(taken <= 161)  // 10 MiB of 64 KiB chunks, then one more
            #expect(taken < source.chunks.count)
            let text = ChunkSource(ImageFixtures.text + [UInt8](repeating: 7, count: 1024 * 1024))
            _ = await Fixtures.appError {
                _ = try await media.library.upload(
                    UploadMetadata(fileName: "a.png", declaredContentType: nil, visibility: nil, purpose: .image), chunks: text, by: ann)
            }
            let textTaken = text.taken.withLock { $0 }
            #expect(textTaken == 1)  // refused at its first chunk
        }
    }

    @Test func aNewAvatarReplacesTheOldOneAndItsObject() async throws {
        try await withMedia(.local) { media in
            let first = try await upload(media, ImageFixtures.png, by: ann, purpose: .avatar)
            #expect(first.visibility == .public)
            let second = try await upload(media, ImageFixtures.gif, by: ann, purpose: .avatar)
            #expect(try await media.library.avatar(of: ann.userID?.uuidString, by: bob).id == second.id)
            #expect(try await objectKeys(media) == [second.objectKey])
            // Many at once: one avatar, one object.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try await upload(media, ImageFixtures.jpeg, by: ann, purpose: .avatar) } }
                try await group.waitForAll()
            }
            let avatar = try await media.library.avatar(of: nil, by: ann)
            #expect(try await objectKeys(media) == [avatar.objectKey])
            try await media.library.deleteAvatar(by: ann)
            #expect(try await objectKeys(media).isEmpty)
            let none = await Fixtures.appError { _ = try await media.library.avatar(of: nil, by: ann) }
            #expect(none?.code == .notFound)
        }
    }

    @Test func aDeactivatedOwnersImagesBecomePrivate() async throws {
        try await withMedia(.local) { media in
            let image = try await upload(media, ImageFixtures.png, by: ann, visibility: .public)
            #expect(try await media.library.image(image.id.uuidString, by: bob).id == image.id)
            try await media.library.ownerDeactivated(try #require(ann.userID))
            let hidden = await Fixtures.appError { _ = try await media.library.image(image.id.uuidString, by: bob) }
            #expect(hidden?.code == .notFound)
        }
    }

    @Test func theSweeperRemovesOnlyOldObjectsWithoutARow() async throws {
        try await withMedia(.local) { media in
            let kept = try await upload(media, ImageFixtures.png, by: ann)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("orphan-\(UUID().uuidString)")
            try Data(ImageFixtures.gif).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            try await media.objects.put(key: "images/orphan", file: file, size: Int64(ImageFixtures.gif.count), sha256: "", contentType: "image/gif")
            let sweeper = OrphanSweeper(objects: media.objects, store: media.store, age: .seconds(3600))
            #expect(try await sweeper.sweep(now: Date()) == 0)  // too young
            #expect(try await sweeper.sweep(now: Date().addingTimeInterval(7200)) == 1)
            #expect(try await objectKeys(media) == [kept.objectKey])
        }
    }
}
