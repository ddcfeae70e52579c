import CMongoc
import DatabaseKit
import PlatformTracing

/// One collection of the client's database. Cheap to create; holds no connection.
///
/// Documents without `_id` get a fresh ObjectId (placed first) before they are sent, so
/// inserts can return their ids.
public struct MongoCollection: Sendable {
    public let name: String
    public let client: MongoClient

    /// Inserts `document` and returns its `_id`.
    @discardableResult
    public func insertOne(_ document: BSONDocument) async throws -> BSON {
        let (document, id) = Self.withID(document)
        try await withCollection("insert") { collection in
            let bson = try BSONWriter.encode(document)
            var error = bson_error_t()
            guard mongoc_collection_insert_one(collection, bson.pointer, nil, nil, &error) else {
                throw DatabaseError(mongo: error)
            }
        }
        return id
    }

    /// Inserts `documents` in order (stopping at the first failure) and returns their `_id`s.
    @discardableResult
    public func insertMany(_ documents: [BSONDocument]) async throws -> [BSON] {
        guard !documents.isEmpty else { return [] }
        let prepared = documents.map(Self.withID)
        try await withCollection("insert") { collection in
            let buffers = try prepared.map { try BSONWriter.encode($0.document) }
            var pointers: [OpaquePointer?] = buffers.map(\.pointer)
            var error = bson_error_t()
            let inserted = withExtendedLifetime(buffers) {
                mongoc_collection_insert_many(collection, &pointers, pointers.count, nil, nil, &error)
            }
            guard inserted else { throw DatabaseError(mongo: error) }
        }
        return prepared.map(\.id)
    }

    /// The first document matching `filter`, or nil.
    public func findOne(_ filter: BSONDocument = [:], sort: BSONDocument? = nil) async throws -> BSONDocument? {
        try await find(filter, sort: sort, limit: 1).first
    }

    /// All documents matching `filter` (the cursor is read to the end, batch after batch).
    /// `limit` 0 means no limit; `projection` picks the fields returned.
    public func find(
        _ filter: BSONDocument = [:], sort: BSONDocument? = nil, skip: Int = 0, limit: Int = 0,
        projection: BSONDocument? = nil
    ) async throws -> [BSONDocument] {
        var options = BSONDocument()
        if let sort { options["sort"] = .document(sort) }
        if skip > 0 { options["skip"] = .int64(Int64(skip)) }
        if limit > 0 { options["limit"] = .int64(Int64(limit)) }
        if let projection { options["projection"] = .document(projection) }
        let findOptions = options
        return try await withCollection("find") { collection in
            let filterBSON = try BSONWriter.encode(filter)
            let optionsBSON = try BSONWriter.encode(findOptions)
            guard let cursor = mongoc_collection_find_with_opts(collection, filterBSON.pointer, optionsBSON.pointer, nil)
            else { throw DatabaseError(.queryFailed, "libmongoc returned no cursor") }
            defer { mongoc_cursor_destroy(cursor) }
            var documents: [BSONDocument] = []
            var current: OpaquePointer?
            while mongoc_cursor_next(cursor, &current) {
                if let current { documents.append(try BSONReader.decode(current)) }
            }
            var error = bson_error_t()
            if mongoc_cursor_error(cursor, &error) { throw DatabaseError(mongo: error) }
            return documents
        }
    }

    /// Applies `update` (operators such as `$set`, `$inc`, `$push`) to the first match.
    @discardableResult
    public func updateOne(
        filter: BSONDocument, update: BSONDocument, upsert: Bool = false
    ) async throws -> (matched: Int, modified: Int, upsertedID: BSON?) {
        try await runUpdate(filter: filter, update: update, upsert: upsert, many: false)
    }

    /// Applies `update` to every match.
    @discardableResult
    public func updateMany(
        filter: BSONDocument, update: BSONDocument, upsert: Bool = false
    ) async throws -> (matched: Int, modified: Int, upsertedID: BSON?) {
        try await runUpdate(filter: filter, update: update, upsert: upsert, many: true)
    }

    /// Deletes the first match; returns how many were deleted (0 or 1).
    @discardableResult
    public func deleteOne(_ filter: BSONDocument) async throws -> Int {
        try await delete(filter, many: false)
    }

    /// Deletes every match; returns how many were deleted.
    @discardableResult
    public func deleteMany(_ filter: BSONDocument) async throws -> Int {
        try await delete(filter, many: true)
    }

    /// How many documents match `filter` (an aggregation on the server, exact).
    public func countDocuments(_ filter: BSONDocument = [:]) async throws -> Int {
        try await withCollection("count") { collection in
            let filterBSON = try BSONWriter.encode(filter)
            var error = bson_error_t()
            let count = mongoc_collection_count_documents(collection, filterBSON.pointer, nil, nil, nil, &error)
            guard count >= 0 else { throw DatabaseError(mongo: error) }
            return Int(count)
        }
    }

    /// Creates an index (a no-op when the same one exists). Building a unique index over
    /// existing duplicates fails with `.uniqueViolation`; a `sparse` one skips documents without
    /// the indexed field.
    public func createIndex(keys: BSONDocument, name: String, unique: Bool = false, sparse: Bool = false) async throws {
        var index: BSONDocument = ["key": .document(keys), "name": .string(name)]
        if unique { index["unique"] = true }
        if sparse { index["sparse"] = true }
        let command: BSONDocument = ["createIndexes": .string(self.name), "indexes": [.document(index)]]
        try await withCollection("createIndexes") { collection in
            let commandBSON = try BSONWriter.encode(command)
            var error = bson_error_t()
            guard mongoc_collection_write_command_with_opts(collection, commandBSON.pointer, nil, nil, &error) else {
                throw DatabaseError(mongo: error)
            }
        }
    }

    /// Drops the collection and its indexes; dropping a missing collection is not an error.
    public func drop() async throws {
        try await withCollection("drop") { collection in
            var error = bson_error_t()
            if !mongoc_collection_drop_with_opts(collection, nil, &error) {
                let failure = DatabaseError(mongo: error)
                guard failure.code == "26" || failure.message.contains("ns not found") else { throw failure }
            }
        }
    }

    private func runUpdate(
        filter: BSONDocument, update: BSONDocument, upsert: Bool, many: Bool
    ) async throws -> (matched: Int, modified: Int, upsertedID: BSON?) {
        let options: BSONDocument = upsert ? ["upsert": true] : [:]
        let reply = try await withCollection("update") { collection in
            let filterBSON = try BSONWriter.encode(filter)
            let updateBSON = try BSONWriter.encode(update)
            let optionsBSON = try BSONWriter.encode(options)
            let reply = BSONBuffer()
            var error = bson_error_t()
            let run = many ? mongoc_collection_update_many : mongoc_collection_update_one
            guard run(collection, filterBSON.pointer, updateBSON.pointer, optionsBSON.pointer, reply.pointer, &error)
            else { throw DatabaseError(mongo: error) }
            return try reply.decode()
        }
        return (reply["matchedCount"]?.intValue ?? 0, reply["modifiedCount"]?.intValue ?? 0, reply["upsertedId"])
    }

    private func delete(_ filter: BSONDocument, many: Bool) async throws -> Int {
        let reply = try await withCollection("delete") { collection in
            let filterBSON = try BSONWriter.encode(filter)
            let reply = BSONBuffer()
            var error = bson_error_t()
            let run = many ? mongoc_collection_delete_many : mongoc_collection_delete_one
            guard run(collection, filterBSON.pointer, nil, reply.pointer, &error) else { throw DatabaseError(mongo: error) }
            return try reply.decode()
        }
        return reply["deletedCount"]?.intValue ?? 0
    }

    private static func withID(_ document: BSONDocument) -> (document: BSONDocument, id: BSON) {
        if let id = document["_id"] { return (document, id) }
        var document = document
        let id = BSON.newObjectID()
        document.prepend("_id", id)
        return (document, id)
    }

    /// `operation` (MongoDB's command name) names the call's span when tracing is on.
    private func withCollection<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (OpaquePointer) throws -> T
    ) async throws -> T {
        let database = client.configuration.database
        let name = self.name
        let call = {
            try await client.withClient { client in
                let collection = mongoc_client_get_collection(client, database, name)!
                defer { mongoc_collection_destroy(collection) }
                return try body(collection)
            }
        }
        guard PlatformTracing.isEnabled else { return try await call() }
        return try await DatabaseSpans(system: "mongodb", namespace: database).statement(operation, collection: name, call)
    }
}
