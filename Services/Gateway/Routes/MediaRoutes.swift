import Contracts
import FoundationEssentials
import GRPCCore
import OpenAPIRuntime
import PlatformAPI
import PlatformCore
import Synchronization

/// `/api/media/images` and `/media/{id}`: uploads stream from the request body into media's
/// `UploadImage` chunk by chunk, and reads stream from `ReadImage` into the response; the gateway
/// never holds a whole image.
extension GatewayAPI {
    /// Uploads may take longer than the default deadline of a call.
    static let streamingCall: CallOptions = {
        var options = CallOptions.defaults
        options.timeout = .seconds(300)
        return options
    }()

    func uploadImage(_ input: Operations.UploadImage.Input) async throws -> Operations.UploadImage.Output {
        let visibility: Media_V1_Visibility
        switch input.query.visibility {
        case nil: visibility = .unspecified
        case "public": visibility = .public
        case "private": visibility = .private
        default: throw AppError(.invalidArgument, "the query is not valid", details: ["visibility": "must be private or public"])
        }
        let image = try await upload(input.body, fileName: input.query.fileName ?? "", visibility: visibility, purpose: .image)
        return .created(.init(body: .json(.init(image))))
    }

    /// Streams `body` (raw, or the first `file` part of a form) into `UploadImage`.
    func upload(
        _ body: Operations.UploadImage.Input.Body, fileName: String, visibility: Media_V1_Visibility, purpose: Media_V1_Purpose
    ) async throws -> Media_V1_Image {
        var fileName = fileName
        let declared: String
        let bytes: HTTPBody
        switch body {
        case .png(let body): (declared, bytes) = ("image/png", body)
        case .jpeg(let body): (declared, bytes) = ("image/jpeg", body)
        case .imageWebp(let body): (declared, bytes) = ("image/webp", body)
        case .imageGif(let body): (declared, bytes) = ("image/gif", body)
        case .binary(let body): (declared, bytes) = ("application/octet-stream", body)
        case .multipartForm(let form):
            guard let part = try await Self.filePart(of: form) else {
                throw AppError(.invalidArgument, "the form has no file", details: ["file": "is required"])
            }
            fileName = part.filename ?? fileName
            (declared, bytes) = ("application/octet-stream", part.payload.body)
        }
        let metadata = Media_V1_UploadMetadata.with {
            $0.caller = .current
            $0.fileName = fileName
            $0.declaredContentType = declared
            $0.visibility = visibility
            $0.purpose = purpose
        }
        return try await peers.media.uploadImage(
            request: StreamingClientRequest { writer in
                try await writer.write(.with { $0.metadata = metadata })
                for try await chunk in bytes { try await writer.write(.with { $0.chunk = Data(chunk) }) }
            }, options: Self.streamingCall)
    }

    static func filePart(
        of form: MultipartBody<Components.Schemas.ImageUploadForm>
    ) async throws -> MultipartPart<Components.Schemas.ImageUploadForm.FilePayload>? {
        do {
            for try await part in form {
                if case .file(let file) = part { return file }
            }
        } catch {
            // The runtime refuses a form without its required `file` part itself (that was a 500).
            return nil
        }
        return nil
    }

    func listImages(_ input: Operations.ListImages.Input) async throws -> Operations.ListImages.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        try query.check()
        let result = try await peers.media.listImages(
            .with {
                $0.caller = .current
                if let paging { $0.page = .init(paging) }
                $0.ownerID = input.query.ownerId ?? ""
            })
        let items = result.images.map(Components.Schemas.Image.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }

    func getImage(_ input: Operations.GetImage.Input) async throws -> Operations.GetImage.Output {
        let image = try await peers.media.getImage(
            .with {
                $0.caller = .current
                $0.id = input.path.id
            })
        return .ok(.init(body: .json(.init(image))))
    }

    func deleteImage(_ input: Operations.DeleteImage.Input) async throws -> Operations.DeleteImage.Output {
        _ = try await peers.media.deleteImage(
            .with {
                $0.caller = .current
                $0.id = input.path.id
            })
        return .noContent(.init())
    }

    func readImage(_ input: Operations.ReadImage.Input) async throws -> Operations.ReadImage.Output {
        let request = Media_V1_ReadImageRequest.with {
            $0.caller = .current
            $0.id = input.path.id
            // A link whose expiry is not a number is a link that is not valid (403), not a bad query.
            $0.expires = input.query.expires.flatMap { Int64($0) } ?? 0
            $0.signature = input.query.signature ?? ""
        }
        let (image, chunks) = try await MediaStream.open(request, on: peers.media, options: Self.streamingCall)
        let body = HTTPBody(chunks, length: .known(image.sizeBytes), iterationBehavior: .single)
        let headers = Operations.ReadImage.Output.Ok.Headers(
            contentLength: Int(image.sizeBytes), eTag: "\"\(image.sha256)\"",
            cacheControl: image.visibility == .public ? "public, max-age=3600" : "private, max-age=600",
            contentDisposition: "inline", xContentTypeOptions: "nosniff")
        switch image.contentType {
        case "image/png": return .ok(.init(headers: headers, body: .png(body)))
        case "image/jpeg": return .ok(.init(headers: headers, body: .jpeg(body)))
        case "image/webp": return .ok(.init(headers: headers, body: .imageWebp(body)))
        default: return .ok(.init(headers: headers, body: .imageGif(body)))
        }
    }
}

/// `ReadImage` as its image and a channel of its bytes, fed by a task that ends with the call.
enum MediaStream {
    static func open(
        _ request: Media_V1_ReadImageRequest, on media: any Media_V1_MediaService.ClientProtocol, options: CallOptions
    ) async throws -> (Media_V1_Image, ChunkChannel) {
        let channel = ChunkChannel()
        let image = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Media_V1_Image, any Error>) in
            let first = FirstAnswer(continuation)
            Task {
                do {
                    try await media.readImage(request: .init(message: request), options: options) { response in
                        for try await message in response.messages {
                            switch message.part {
                            case .image(let image)?: first.resolve(.success(image))
                            case .chunk(let bytes)?: try await channel.send(ArraySlice(bytes))
                            case nil: continue
                            }
                        }
                    }
                    first.resolve(.failure(AppError(.internal, "the image stream ended before its image")))
                    channel.finish()
                } catch {
                    first.resolve(.failure(error))
                    channel.finish(throwing: error)
                }
            }
        }
        return (image, channel)
    }
}

/// Resumes its continuation once: with the image, or with the error that came before it.
final class FirstAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<Media_V1_Image, any Error>?>

    init(_ continuation: CheckedContinuation<Media_V1_Image, any Error>) { self.continuation = Mutex(continuation) }

    func resolve(_ result: Result<Media_V1_Image, any Error>) {
        continuation.withLock { pending in
            pending?.resume(with: result)
            pending = nil
        }
    }
}

extension Components.Schemas.Image {
    init(_ image: Media_V1_Image) {
        self.init(
            id: image.id, ownerId: image.ownerID, fileName: image.fileName,
            contentType: .init(rawValue: image.contentType) ?? .imagePng, sizeBytes: image.sizeBytes, width: Int(image.width),
            height: Int(image.height), visibility: image.visibility == .public ? ._public : ._private, url: image.url,
            createdAt: image.createdAt.date)
    }
}
