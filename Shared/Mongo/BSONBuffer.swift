import CMongoc

/// A heap-allocated, 128-byte-aligned `bson_t` owned by Swift, freed on deinit.
///
/// Used both for documents we build (appends grow its buffer) and for reply out-parameters
/// that libmongoc initialises. Confined to the blocking thread that made it. Keep it in a
/// named `let` while its `pointer` is in use (a temporary may be freed right after `.pointer`).
final class BSONBuffer {
    let pointer: OpaquePointer

    init() {
        pointer = cmongoc_bson_alloc()
    }

    deinit {
        cmongoc_bson_free(pointer)
    }

    func decode() throws -> BSONDocument {
        try BSONReader.decode(pointer)
    }
}

/// ObjectIds from libbson's default context (thread-safe: time, random, atomic counter).
enum ObjectIDGenerator {
    static func next() -> String {
        var oid = bson_oid_t()
        bson_oid_init(&oid, nil)
        return hexString(&oid)
    }

    static func hexString(_ oid: UnsafePointer<bson_oid_t>) -> String {
        var text = [CChar](repeating: 0, count: 25)
        bson_oid_to_string(oid, &text)
        return String(decoding: text.prefix(24).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
