import AsyncHTTPClient
import BlockingIO
import FoundationEssentials
import PlatformCore
import NIOCore
import NIOHTTP1

/// Objects in one bucket of an S3-compatible server, path-style (`<endpoint>/<bucket>/<key>`),
/// every request signed with SigV4. Uploads stream from the file with its length and its SHA-256
/// (a signed payload); reads stream the response body.
public struct S3ObjectStore: ObjectStore {
    public struct Configuration: Sendable {
        public var endpoint: URL
        public var bucket: String
        public var region: String
        public var credentials: SigV4Signer.Credentials

        public init(endpoint: URL, bucket: String, region: String, credentials: SigV4Signer.Credentials) {
            self.endpoint = endpoint
            self.bucket = bucket
            self.region = region
            self.credentials = credentials
        }
    }

    public let configuration: Configuration
    private let client: HTTPClient
    private let signer: SigV4Signer
    private let files: BlockingThreadPool
    static let timeout = TimeAmount.seconds(60)

    public init(configuration: Configuration, client: HTTPClient = .shared) {
        self.configuration = configuration
        self.client = client
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region, service: "s3")
        self.files = BlockingThreadPool(name: "s3-uploads", threads: 2)
    }

    /// Creates the bucket unless it exists (a no-op for one this account owns).
    public func ensureBucket() async throws {
        let response = try await send("PUT", path: "/\(configuration.bucket)")
        guard response.status == .ok || response.status == .conflict else {
            throw try await Self.failure(response, "creating bucket \(configuration.bucket)")
        }
        _ = try await response.body.collect(upTo: 64 * 1024)
    }

    public func put(key: String, file: URL, size: Int64, sha256: String, contentType: String) async throws {
        let path = try objectPath(key)
        let files = self.files
        let chunks = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            let task = Task {
                do {
                    let handle = try await files.run {
                        do { return try OpenFile(reading: file.path) } catch {
                            throw ObjectStoreError(.failed, "cannot open the upload \(file.lastPathComponent)")
                        }
                    }
                    defer { handle.close() }
                    while true {
                        let data = try await files.run { try handle.read(upTo: 256 * 1024) }
                        if data.isEmpty { break }
                        continuation.yield(ByteBuffer(bytes: data))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        let response = try await send(
            "PUT", path: path, headers: [("content-type", contentType), ("content-length", String(size))], payloadHash: sha256,
            body: .stream(chunks, length: .known(size)))
        guard response.status == .ok else { throw try await Self.failure(response, "storing \(key)") }
        _ = try await response.body.collect(upTo: 64 * 1024)
    }

    public func read(key: String, chunkSize: Int) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let response = try await send("GET", path: try objectPath(key))
                    if response.status == .notFound { throw ObjectStoreError(.notFound, "no object \(key)") }
                    guard response.status == .ok else { throw try await Self.failure(response, "reading \(key)") }
                    for try await buffer in response.body {
                        var buffer = buffer
                        while buffer.readableBytes > 0 {
                            continuation.yield(buffer.readBytes(length: min(chunkSize, buffer.readableBytes)) ?? [])
                        }
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
        let response = try await send("DELETE", path: try objectPath(key))
        guard response.status == .noContent || response.status == .ok || response.status == .notFound else {
            throw try await Self.failure(response, "deleting \(key)")
        }
        _ = try await response.body.collect(upTo: 64 * 1024)
    }

    public func list(prefix: String) async throws -> [StoredObject] {
        var objects: [StoredObject] = []
        var token: String?
        repeat {
            var query = "list-type=2&prefix=\(SigV4Signer.uriEncode(prefix))"
            if let token { query += "&continuation-token=\(SigV4Signer.uriEncode(token))" }
            let response = try await send("GET", path: "/\(configuration.bucket)", query: query)
            guard response.status == .ok else { throw try await Self.failure(response, "listing \(prefix)") }
            let body = String(buffer: try await response.body.collect(upTo: 16 * 1024 * 1024))
            let page = ListBucketResult(xml: body)
            objects += page.objects
            token = page.nextToken
        } while token != nil
        return objects
    }

    // MARK: Requests

    func objectPath(_ key: String) throws -> String {
        "/\(configuration.bucket)/" + SigV4Signer.uriEncode(try ObjectStoreError.checked(key), keepingSlashes: true)
    }

    private func send(
        _ method: String, path: String, query: String = "", headers extra: [(String, String)] = [],
        payloadHash: String = SigV4Signer.emptyPayloadHash, body: HTTPClientRequest.Body? = nil
    ) async throws -> HTTPClientResponse {
        let endpoint = configuration.endpoint
        guard let host = endpoint.host else { throw ObjectStoreError(.failed, "the S3 endpoint has no host") }
        let hostHeader = endpoint.port.map { "\(host):\($0)" } ?? host
        let signedHeaders = [("host", hostHeader), ("x-amz-content-sha256", payloadHash)] + extra
        let (amzDate, authorization) = signer.sign(
            method: method, path: path, query: query, headers: signedHeaders, payloadHash: payloadHash, date: Date())
        var base = endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var request = HTTPClientRequest(url: base + path + (query.isEmpty ? "" : "?\(query)"))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signedHeaders { request.headers.replaceOrAdd(name: name, value: value) }
        request.headers.replaceOrAdd(name: "x-amz-date", value: amzDate)
        request.headers.replaceOrAdd(name: "authorization", value: authorization)
        if let body { request.body = body }
        do {
            return try await client.execute(request, timeout: Self.timeout)
        } catch {
            throw ObjectStoreError(.failed, "the S3 server did not answer: \(error)")
        }
    }

    private static func failure(_ response: HTTPClientResponse, _ what: String) async throws -> ObjectStoreError {
        let body = String(buffer: (try? await response.body.collect(upTo: 64 * 1024)) ?? ByteBuffer())
        let code = ListBucketResult.value(of: "Code", in: body) ?? "no error code"
        return ObjectStoreError(.failed, "\(what): HTTP \(response.status.code) \(code)")
    }
}

/// The few fields of a `ListObjectsV2` answer the sweeper needs.
struct ListBucketResult {
    var objects: [StoredObject] = []
    var nextToken: String?

    init(xml: String) {
        for block in Self.blocks(of: "Contents", in: xml) {
            guard let key = Self.value(of: "Key", in: block), let size = Self.value(of: "Size", in: block).flatMap(Int64.init)
            else { continue }
            let modified = Self.value(of: "LastModified", in: block).flatMap { Date(rfc3339: $0) }
            objects.append(StoredObject(key: Self.unescaped(key), size: size, modifiedAt: modified ?? Date()))
        }
        if Self.value(of: "IsTruncated", in: xml) == "true" { nextToken = Self.value(of: "NextContinuationToken", in: xml).map(Self.unescaped) }
    }

    static func blocks(of element: String, in xml: String) -> [Substring] {
        var blocks: [Substring] = []
        var rest = xml[...]
        while let open = rest.firstRange(of: "<\(element)>"), let close = rest[open.upperBound...].firstRange(of: "</\(element)>") {
            blocks.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return blocks
    }

    static func value(of element: String, in xml: some StringProtocol) -> String? {
        guard let open = xml.firstRange(of: "<\(element)>"), let close = xml[open.upperBound...].firstRange(of: "</\(element)>")
        else { return nil }
        return String(xml[open.upperBound..<close.lowerBound])
    }

    static func unescaped(_ text: String) -> String {
        text.replacing("&lt;", with: "<").replacing("&gt;", with: ">")
            .replacing("&quot;", with: "\"").replacing("&apos;", with: "'")
            .replacing("&amp;", with: "&")
    }
}
