import CMongoc
import DatabaseKit
import FoundationEssentials

/// Reads a `bson_t` into a `BSONDocument` with libbson's iterator.
enum BSONReader {
    static func decode(_ bson: OpaquePointer) throws -> BSONDocument {
        let iterator = cmongoc_iter_alloc()!
        defer { cmongoc_iter_free(iterator) }
        guard bson_iter_init(iterator, bson) else {
            throw DatabaseError(.decodingFailed, "the server sent a malformed BSON document")
        }
        return readDocument(iterator)
    }

    private static func readDocument(_ iterator: OpaquePointer) -> BSONDocument {
        var document = BSONDocument()
        while bson_iter_next(iterator) {
            document.append(String(cString: bson_iter_key(iterator)), readValue(iterator))
        }
        return document
    }

    private static func readArray(_ iterator: OpaquePointer) -> [BSON] {
        var values: [BSON] = []
        while bson_iter_next(iterator) {
            values.append(readValue(iterator))
        }
        return values
    }

    /// Runs `body` with an iterator over the document or array under `iterator`.
    private static func withChild<T>(_ iterator: OpaquePointer, _ body: (OpaquePointer) -> T) -> T? {
        let child = cmongoc_iter_alloc()!
        defer { cmongoc_iter_free(child) }
        return bson_iter_recurse(iterator, child) ? body(child) : nil
    }

    private static func readValue(_ iterator: OpaquePointer) -> BSON {
        let type = bson_iter_type(iterator)
        switch type {
        case BSON_TYPE_DOUBLE:
            return .double(bson_iter_double(iterator))
        case BSON_TYPE_UTF8:
            var length: UInt32 = 0
            guard let start = bson_iter_utf8(iterator, &length) else { return .string("") }
            let bytes = UnsafeRawPointer(start).assumingMemoryBound(to: UInt8.self)
            return .string(String(decoding: UnsafeBufferPointer(start: bytes, count: Int(length)), as: UTF8.self))
        case BSON_TYPE_DOCUMENT:
            return .document(withChild(iterator, readDocument) ?? BSONDocument())
        case BSON_TYPE_ARRAY:
            return .array(withChild(iterator, readArray) ?? [])
        case BSON_TYPE_BINARY:
            var subtype = bson_subtype_t(rawValue: 0)
            var length: UInt32 = 0
            var bytes: UnsafePointer<UInt8>?
            bson_iter_binary(iterator, &subtype, &length, &bytes)
            let data = bytes.map { Data(bytes: $0, count: Int(length)) } ?? Data()
            return .binary(data, subtype: UInt8(truncatingIfNeeded: subtype.rawValue))
        case BSON_TYPE_OID:
            return .objectID(ObjectIDGenerator.hexString(bson_iter_oid(iterator)))
        case BSON_TYPE_BOOL:
            return .bool(bson_iter_bool(iterator))
        case BSON_TYPE_DATE_TIME:
            return .date(Date(timeIntervalSince1970: Double(bson_iter_date_time(iterator)) / 1000))
        case BSON_TYPE_NULL:
            return .null
        case BSON_TYPE_INT32:
            return .int32(bson_iter_int32(iterator))
        case BSON_TYPE_INT64:
            return .int64(bson_iter_int64(iterator))
        default:
            return .unsupported(type: UInt8(truncatingIfNeeded: type.rawValue))
        }
    }
}
