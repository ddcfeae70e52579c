import DatabaseKit
import FoundationEssentials
import PlatformCore
import Postgres

/// Image rows on media's Postgres database.
public struct PostgresImageStore: ImageStore {
    private let client: PostgresClient
    static let columns =
        "id, owner_id, file_name, content_type, size_bytes, width, height, visibility, purpose, object_key, sha256, created_at"
    static let avatarRetries = 3

    public init(client: PostgresClient) { self.client = client }

    public func insert(_ image: StoredImage) async throws -> StoredImage? {
        var attempt = 0
        while true {
            do {
                return try await client.transaction { connection in
                    var replaced: StoredImage?
                    if image.purpose == .avatar {
                        replaced = try connection.query(
                            "DELETE FROM images WHERE owner_id = $1 AND purpose = 'avatar' RETURNING \(Self.columns)",
                            [.uuid(image.ownerID)]
                        ).first.map(Self.image)
                    }
                    try connection.execute(
                        """
                        INSERT INTO images (\(Self.columns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                        """,
                        [.uuid(image.id), .uuid(image.ownerID), .string(image.fileName), .string(image.contentType),
                         .int(image.sizeBytes), .int(Int64(image.width)), .int(Int64(image.height)),
                         .string(image.visibility.rawValue), .string(image.purpose.rawValue), .string(image.objectKey),
                         .string(image.sha256), .date(image.createdAt)])
                    return replaced
                }
            } catch let error as DatabaseError where error.kind == .uniqueViolation && image.purpose == .avatar {
                // Another avatar of the owner committed first: replace that one.
                attempt += 1
                if attempt > Self.avatarRetries { throw error }
            }
        }
    }

    public func image(id: UUID) async throws -> StoredImage? {
        try await client.query("SELECT \(Self.columns) FROM images WHERE id = $1", [.uuid(id)]).first.map(Self.image)
    }

    public func images(ownedBy owner: UUID, _ paging: PageRequest) async throws -> Page<StoredImage> {
        let total = try await client.query("SELECT count(*) AS total FROM images WHERE owner_id = $1", [.uuid(owner)])
        let rows = try await client.query(
            "SELECT \(Self.columns) FROM images WHERE owner_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3",
            [.uuid(owner), .int(Int64(paging.size)), .int(Int64(paging.offset))])
        return Page(
            items: try rows.map(Self.image), request: paging, total: try total.first.map { try $0.required("total", $0.int) } ?? 0)
    }

    public func avatar(of owner: UUID) async throws -> StoredImage? {
        try await client.query(
            "SELECT \(Self.columns) FROM images WHERE owner_id = $1 AND purpose = 'avatar'", [.uuid(owner)]
        ).first.map(Self.image)
    }

    public func delete(id: UUID) async throws -> StoredImage? {
        try await client.query("DELETE FROM images WHERE id = $1 RETURNING \(Self.columns)", [.uuid(id)]).first.map(Self.image)
    }

    public func makePrivate(ownedBy owner: UUID) async throws -> Int {
        Int(
            try await client.execute(
                "UPDATE images SET visibility = 'private' WHERE owner_id = $1 AND visibility = 'public'", [.uuid(owner)]))
    }

    public func unreferenced(_ keys: [String]) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        let placeholders = (1...keys.count).map { "$\($0)" }.joined(separator: ", ")
        let referenced = try await client.query(
            "SELECT object_key FROM images WHERE object_key IN (\(placeholders))", keys.map(SQLValue.string)
        ).map { try $0.required("object_key", $0.string) }
        return Set(keys).subtracting(referenced)
    }

    static func image(_ row: SQLRow) throws -> StoredImage {
        StoredImage(
            id: try row.required("id", row.uuid), ownerID: try row.required("owner_id", row.uuid),
            fileName: try row.required("file_name", row.string), contentType: try row.required("content_type", row.string),
            sizeBytes: Int64(try row.required("size_bytes", row.int)), width: try row.required("width", row.int),
            height: try row.required("height", row.int),
            visibility: try row.required("visibility") { try row.string($0).flatMap(Visibility.init(rawValue:)) },
            purpose: try row.required("purpose") { try row.string($0).flatMap(Purpose.init(rawValue:)) },
            objectKey: try row.required("object_key", row.string), sha256: try row.required("sha256", row.string),
            createdAt: try row.required("created_at", row.date))
    }
}
