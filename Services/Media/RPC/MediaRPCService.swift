import Contracts
import FoundationEssentials
import GRPCCore
import PlatformCore
import SwiftProtobuf

/// `media.v1.MediaService` over the image library; the rules are the library's, from each
/// request's `caller`.
public struct MediaRPCService: Media_V1_MediaService.SimpleServiceProtocol {
    let library: ImageLibrary

    public init(library: ImageLibrary) { self.library = library }

    public func uploadImage(
        request: RPCAsyncSequence<Media_V1_UploadImageRequest, any Error>, context: ServerContext
    ) async throws -> Media_V1_Image {
        var parts = request.makeAsyncIterator()
        guard case .metadata(let metadata)? = try await parts.next()?.part else {
            throw AppError(.invalidArgument, "an upload starts with its metadata", details: ["metadata": "is required"])
        }
        let chunks = AsyncThrowingStream<[UInt8], any Error> {
            guard let message = try await parts.next() else { return nil }
            guard case .chunk(let bytes)? = message.part else {
                throw AppError(.invalidArgument, "after the metadata an upload sends only chunks")
            }
            return [UInt8](bytes)
        }
        let image = try await library.upload(
            UploadMetadata(
                fileName: metadata.fileName, declaredContentType: metadata.declaredContentType.nonEmpty,
                visibility: Visibility(metadata.visibility), purpose: metadata.purpose == .avatar ? .avatar : .image),
            chunks: chunks, by: Requester(metadata.caller))
        return message(image)
    }

    public func listImages(request: Media_V1_ListImagesRequest, context: ServerContext) async throws
        -> Media_V1_ListImagesResponse
    {
        let page = try await library.images(
            owner: request.ownerID.nonEmpty, try PageRequest(request.page), by: Requester(request.caller))
        return .with {
            $0.images = page.items.map(message)
            $0.page = .init(page)
        }
    }

    public func getImage(request: Media_V1_ImageRequest, context: ServerContext) async throws -> Media_V1_Image {
        message(try await library.image(request.id, by: Requester(request.caller)))
    }

    public func deleteImage(request: Media_V1_ImageRequest, context: ServerContext) async throws
        -> Media_V1_DeleteImageResponse
    {
        try await library.delete(request.id, by: Requester(request.caller))
        return .init()
    }

    public func readImage(
        request: Media_V1_ReadImageRequest, response: RPCWriter<Media_V1_ReadImageResponse>, context: ServerContext
    ) async throws {
        let (image, bytes) = try await library.read(
            request.id, expires: request.expires == 0 ? nil : request.expires, signature: request.signature.nonEmpty,
            by: Requester(request.caller))
        try await response.write(.with { $0.image = message(image) })
        for try await chunk in bytes { try await response.write(.with { $0.chunk = Data(chunk) }) }
    }

    public func getAvatar(request: Media_V1_AvatarRequest, context: ServerContext) async throws -> Media_V1_Image {
        message(try await library.avatar(of: request.ownerID.nonEmpty, by: Requester(request.caller)))
    }

    public func deleteAvatar(request: Media_V1_AvatarRequest, context: ServerContext) async throws
        -> Media_V1_DeleteImageResponse
    {
        try await library.deleteAvatar(by: Requester(request.caller))
        return .init()
    }

    func message(_ image: StoredImage) -> Media_V1_Image {
        .with {
            $0.id = image.id.lowercasedString
            $0.ownerID = image.ownerID.lowercasedString
            $0.fileName = image.fileName
            $0.contentType = image.contentType
            $0.sizeBytes = image.sizeBytes
            $0.width = Int32(image.width)
            $0.height = Int32(image.height)
            $0.visibility = image.visibility == .public ? .public : .private
            $0.purpose = image.purpose == .avatar ? .avatar : .image
            $0.url = library.url(of: image)
            $0.sha256 = image.sha256
            $0.createdAt = .init(date: image.createdAt)
        }
    }
}

extension Visibility {
    init?(_ message: Media_V1_Visibility) {
        switch message {
        case .private: self = .private
        case .public: self = .public
        default: return nil
        }
    }
}
