import FoundationEssentials
import ObjectStore
import PlatformConfig

/// The object store `MEDIA_STORAGE` names: `local:<folder>` (the default: `.local/media` of the
/// native stack) or `s3://<bucket>` with `MEDIA_S3_ENDPOINT`, `MEDIA_S3_REGION`,
/// `MEDIA_S3_ACCESS_KEY` and `MEDIA_S3_SECRET_KEY`.
enum MediaStorage {
    static func objectStore(_ config: ConfigReader) async throws -> any ObjectStore {
        let storage = try config.string("MEDIA_STORAGE", default: "local:.local/media")
        if storage.hasPrefix("local:") {
            return try LocalFolderStore(root: URL(fileURLWithPath: String(storage.dropFirst("local:".count))))
        }
        guard storage.hasPrefix("s3://"), let bucket = storage.dropFirst("s3://".count).split(separator: "/").first else {
            throw ConfigError(variable: "MEDIA_STORAGE", problem: "must be local:<folder> or s3://<bucket>")
        }
        guard let endpoint = URL(string: try config.string("MEDIA_S3_ENDPOINT", default: "")), endpoint.host != nil else {
            throw ConfigError(variable: "MEDIA_S3_ENDPOINT", problem: "must be the S3 server's URL, e.g. http://127.0.0.1:9000")
        }
        let accessKey = try config.string("MEDIA_S3_ACCESS_KEY", default: "")
        let secretKey = try config.string("MEDIA_S3_SECRET_KEY", default: "")
        guard !accessKey.isEmpty, !secretKey.isEmpty else {
            throw ConfigError(variable: "MEDIA_S3_SECRET_KEY", problem: "MEDIA_S3_ACCESS_KEY and MEDIA_S3_SECRET_KEY must be set")
        }
        let store = S3ObjectStore(
            configuration: .init(
                endpoint: endpoint, bucket: String(bucket), region: try config.string("MEDIA_S3_REGION", default: "us-east-1"),
                credentials: .init(accessKey: accessKey, secretKey: secretKey)))
        try await store.ensureBucket()
        return store
    }
}
