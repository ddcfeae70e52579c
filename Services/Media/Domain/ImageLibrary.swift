import BlockingIO
import Contracts
import FoundationEssentials
import ObjectStore
import PlatformCore

/// Images and avatars: an upload is spooled to a temporary file as it arrives (bounded, typed by
/// its bytes), stored as an object, then recorded; the row never points at a missing object and a
/// failed record deletes the object (`OrphanSweeper` removes what a crash leaves). Owners and
/// admins see and delete images; anyone sees public ones and avatars; a signed link reads one.
public struct ImageLibrary: Sendable {
    public static let pixelLimit = 40_000_000
    public static let fileNameLimit = TextLimit(characters: 255)
    public static let chunkSize = 64 * 1024

    private let store: any ImageStore
    private let objects: any ObjectStore
    private let links: SignedLinks
    private let spoolDirectory: URL
    private let files: BlockingThreadPool
    private let now: @Sendable () -> Date

    public init(
        store: any ImageStore, objects: any ObjectStore, links: SignedLinks, spoolDirectory: URL,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.objects = objects
        self.links = links
        self.spoolDirectory = spoolDirectory
        self.files = BlockingThreadPool(name: "media-spool", threads: 4)
        self.now = now
    }

    public func url(of image: StoredImage) -> String {
        links.link(to: image.id, public: image.visibility == .public)
    }

    public func upload(
        _ metadata: UploadMetadata, chunks: some AsyncSequence<[UInt8], any Error>, by requester: Requester
    ) async throws -> StoredImage {
        let owner = try Self.account(requester)
        let metadata = try Self.checked(metadata)
        let spool = try await UploadSpool(
            directory: spoolDirectory, limit: metadata.purpose == .avatar ? UploadLimits.avatarBytes : UploadLimits.imageBytes, pool: files)
        do {
            for try await chunk in chunks { try await spool.append(chunk) }
            let (header, sha256) = try await spool.finish()
            if let declared = metadata.declaredContentType, declared != header.format.contentType {
                throw AppError(
                    .unsupportedMediaType, "the file was declared \(declared) but is \(header.format.contentType)")
            }
            guard header.width * header.height <= Self.pixelLimit else {
                throw AppError(.payloadTooLarge, "the image has more than \(Self.pixelLimit / 1_000_000) megapixels")
            }
            let id = UUID()
            let image = StoredImage(
                id: id, ownerID: owner, fileName: metadata.fileName, contentType: header.format.contentType, sizeBytes: spool.size,
                width: header.width, height: header.height,
                visibility: metadata.purpose == .avatar ? .public : metadata.visibility ?? .private, purpose: metadata.purpose,
                objectKey: "images/\(id.lowercasedString)", sha256: sha256, createdAt: now())
            try await objects.put(
                key: image.objectKey, file: spool.file, size: spool.size, sha256: sha256, contentType: image.contentType)
            await spool.discard()
            let replaced: StoredImage?
            do {
                replaced = try await store.insert(image)
            } catch {
                try? await objects.delete(key: image.objectKey)
                throw error
            }
            // The old avatar's row is gone with the commit; its object follows (or the sweeper takes it).
            if let replaced { try? await objects.delete(key: replaced.objectKey) }
            return image
        } catch {
            await spool.discard()
            throw error
        }
    }

    /// The requester's images, or (admins) `owner`'s; newest first.
    public func images(owner: String?, _ paging: PageRequest, by requester: Requester) async throws -> Page<StoredImage> {
        let me = try Self.account(requester)
        guard let owner = owner?.nonEmpty else { return try await store.images(ownedBy: me, paging) }
        guard requester.has(.admin) else { throw AppError(.permissionDenied, "only admins list another owner's images") }
        guard let ownerID = UUID(uuidString: owner) else {
            throw AppError(.invalidArgument, "the owner is not valid", details: ["owner_id": "must be a UUID"])
        }
        return try await store.images(ownedBy: ownerID, paging)
    }

    public func image(_ id: String, by requester: Requester) async throws -> StoredImage {
        guard let id = UUID(uuidString: id), let image = try await store.image(id: id), Self.maySee(image, requester) else {
            throw Self.notFound
        }
        return image
    }

    public func delete(_ id: String, by requester: Requester) async throws {
        guard let id = UUID(uuidString: id), let image = try await store.image(id: id), Self.maySee(image, requester) else {
            throw Self.notFound
        }
        guard Self.mayManage(image, requester) else { throw AppError(.permissionDenied, "only its owner or an admin deletes an image") }
        guard let deleted = try await store.delete(id: id) else { throw Self.notFound }
        try await objects.delete(key: deleted.objectKey)
    }

    /// The image and its bytes: for whoever may see it, or with a valid signed link (403 for an
    /// expired or altered one).
    public func read(_ id: String, expires: Int64?, signature: String?, by requester: Requester) async throws
        -> (image: StoredImage, bytes: AsyncThrowingStream<[UInt8], any Error>)
    {
        guard let uuid = UUID(uuidString: id), let image = try await store.image(id: uuid) else { throw Self.notFound }
        if !Self.maySee(image, requester) {
            guard let expires, let signature else { throw Self.notFound }
            guard links.isValid(id: uuid, expires: expires, signature: signature) else {
                throw AppError(.permissionDenied, "the link has expired or is not valid")
            }
        }
        return (image, objects.read(key: image.objectKey, chunkSize: Self.chunkSize))
    }

    /// `owner`'s avatar (the requester's when nil); avatars are public.
    public func avatar(of owner: String?, by requester: Requester) async throws -> StoredImage {
        let ownerID: UUID
        if let owner = owner?.nonEmpty {
            guard let id = UUID(uuidString: owner) else { throw Self.noAvatar }
            ownerID = id
        } else {
            ownerID = try Self.account(requester)
        }
        guard let avatar = try await store.avatar(of: ownerID) else { throw Self.noAvatar }
        return avatar
    }

    public func deleteAvatar(by requester: Requester) async throws {
        guard let avatar = try await store.avatar(of: try Self.account(requester)),
            let deleted = try await store.delete(id: avatar.id)
        else { return }
        try await objects.delete(key: deleted.objectKey)
    }

    /// `user.deactivated`: nothing of the user stays public.
    public func ownerDeactivated(_ owner: UUID) async throws {
        _ = try await store.makePrivate(ownedBy: owner)
    }

    // MARK: Rules

    static func account(_ requester: Requester) throws(AppError) -> UUID {
        try requester.requireSignedIn()
        guard let user = requester.userID else { throw AppError(.permissionDenied, "images belong to user accounts") }
        return user
    }

    static func mayManage(_ image: StoredImage, _ requester: Requester) -> Bool {
        requester.has(.admin) || requester.userID == image.ownerID
    }

    static func maySee(_ image: StoredImage, _ requester: Requester) -> Bool {
        image.visibility == .public || mayManage(image, requester)
    }

    static func checked(_ metadata: UploadMetadata) throws(AppError) -> UploadMetadata {
        var checked = metadata
        checked.fileName = metadata.fileName.trimmingWhitespace()
        if checked.fileName.isEmpty { checked.fileName = metadata.purpose == .avatar ? "avatar" : "image" }
        if let problem = fileNameLimit.problem(with: checked.fileName), problem != "is required" {
            throw AppError(.invalidArgument, "the file name is not valid", details: ["file_name": problem])
        }
        if checked.fileName.contains("/") || checked.fileName.contains("\\") {
            throw AppError(.invalidArgument, "the file name is not valid", details: ["file_name": "must not contain a path"])
        }
        let declared = metadata.declaredContentType?.split(separator: ";").first.map {
            $0.trimmingWhitespace().lowercased()
        }
        // A client that does not know the type says so; anything else must be what the bytes are.
        checked.declaredContentType = declared.flatMap { ["", "application/octet-stream"].contains($0) ? nil : $0 }
        return checked
    }

    static let notFound = AppError(.notFound, "no such image")
    static let noAvatar = AppError(.notFound, "no avatar")
}
