import FoundationEssentials
import PlatformCore

public enum Visibility: String, Sendable {
    case `private`, `public`
}

public enum Purpose: String, Sendable {
    case image, avatar
}

/// An image as kept: its row points at the stored object `objectKey`.
public struct StoredImage: Sendable, Equatable {
    public var id: UUID
    public var ownerID: UUID
    public var fileName: String
    public var contentType: String
    public var sizeBytes: Int64
    public var width: Int
    public var height: Int
    public var visibility: Visibility
    public var purpose: Purpose
    public var objectKey: String
    public var sha256: String
    public var createdAt: Date
}

/// What an upload says about itself before its bytes.
public struct UploadMetadata: Sendable, Equatable {
    public var fileName: String
    public var declaredContentType: String?
    public var visibility: Visibility?
    public var purpose: Purpose

    public init(fileName: String, declaredContentType: String?, visibility: Visibility?, purpose: Purpose) {
        self.fileName = fileName
        self.declaredContentType = declaredContentType
        self.visibility = visibility
        self.purpose = purpose
    }
}

/// The rows of images on media's Postgres database.
public protocol ImageStore: Sendable {
    /// Writes the row; for an avatar, removes the owner's previous avatar row in the same
    /// transaction and returns it (its object is the caller's to delete after the commit).
    func insert(_ image: StoredImage) async throws -> StoredImage?
    func image(id: UUID) async throws -> StoredImage?
    func images(ownedBy owner: UUID, _ paging: PageRequest) async throws -> Page<StoredImage>
    func avatar(of owner: UUID) async throws -> StoredImage?
    /// Removes the row and returns it (nil when there is none).
    func delete(id: UUID) async throws -> StoredImage?
    /// Makes every image of `owner` private; returns how many changed.
    func makePrivate(ownedBy owner: UUID) async throws -> Int
    /// Which of `keys` no row points at.
    func unreferenced(_ keys: [String]) async throws -> Set<String>
}
