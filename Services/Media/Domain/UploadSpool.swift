import BlockingIO
import Crypto
import FoundationEssentials
import PlatformCore

/// An upload on its way in: written to a temporary file as it arrives (never whole in memory),
/// hashed, bounded (`limit` bytes: past it the upload is refused and reading stops), with its
/// first bytes kept to tell what it is. Refuses a stream that cannot be an image after its first
/// bytes, before reading the rest.
final class UploadSpool {
    let file: URL
    private let handle: OpenFile
    private let pool: BlockingThreadPool
    private let limit: Int64
    private var hasher = SHA256()
    private(set) var size: Int64 = 0
    private(set) var head: [UInt8] = []
    private var checkedSignature = false

    init(directory: URL, limit: Int64, pool: BlockingThreadPool) async throws {
        let file = directory.appendingPathComponent("upload-\(UUID().uuidString)")
        self.handle = try await pool.run {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            do { return try OpenFile(creating: file.path) } catch { throw AppError(.internal, "cannot spool the upload") }
        }
        self.file = file
        self.pool = pool
        self.limit = limit
    }

    func append(_ chunk: [UInt8]) async throws {
        guard !chunk.isEmpty else { return }
        size += Int64(chunk.count)
        guard size <= limit else {
            throw AppError(.payloadTooLarge, "the image is larger than \(limit / 1_000_000) MB")
        }
        hasher.update(data: chunk)
        if head.count < ImageInspector.headerLimit {
            head += chunk.prefix(ImageInspector.headerLimit - head.count)
        }
        if !checkedSignature && head.count >= 16 {
            checkedSignature = true
            guard ImageFormat.allCases.contains(where: { Self.mayBe($0, head) }) else { throw Self.notAnImage }
        }
        let handle = self.handle
        try await pool.run { try handle.write(chunk) }
    }

    /// Closes the file; the header must name a supported format and its size.
    func finish() async throws -> (header: ImageHeader, sha256: String) {
        let handle = self.handle
        try await pool.run { handle.close() }
        guard size > 0 else { throw AppError(.invalidArgument, "the upload is empty", details: ["file": "is empty"]) }
        guard let header = ImageInspector.inspect(head) else { throw Self.notAnImage }
        return (header, hasher.finalize().hexEncoded)
    }

    /// Removes the temporary file (whatever happened).
    func discard() async {
        let (handle, file) = (self.handle, self.file)
        _ = try? await pool.run {
            handle.close()
            try? FileManager.default.removeItem(at: file)
        }
    }

    static func mayBe(_ format: ImageFormat, _ head: [UInt8]) -> Bool {
        switch format {
        case .png: head.starts(with: [0x89, 0x50, 0x4E, 0x47])
        case .jpeg: head.starts(with: [0xFF, 0xD8, 0xFF])
        case .gif: head.starts(with: Array("GIF8".utf8))
        case .webp: head.starts(with: Array("RIFF".utf8)) && Array(head[8..<12]) == Array("WEBP".utf8)
        }
    }

    static let notAnImage = AppError(.unsupportedMediaType, "the file is not a PNG, JPEG, WebP or GIF image")
}
