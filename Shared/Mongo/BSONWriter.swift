import CMongoc
import DatabaseKit
import FoundationEssentials

/// Builds a `bson_t` from a `BSONDocument` with libbson's typed append functions.
enum BSONWriter {
    static func encode(_ document: BSONDocument) throws -> BSONBuffer {
        let buffer = BSONBuffer()
        for (key, value) in document {
            try append(value, key: key, to: buffer.pointer)
        }
        return buffer
    }

    static func encode(array: [BSON]) throws -> BSONBuffer {
        let buffer = BSONBuffer()
        for (index, value) in array.enumerated() {
            try append(value, key: String(index), to: buffer.pointer)
        }
        return buffer
    }

    private static func append(_ value: BSON, key: String, to bson: OpaquePointer) throws {
        guard !key.utf8.contains(0) else { throw invalid("the key \(key.debugDescription) contains a NUL byte") }
        let keyLength = Int32(key.utf8.count)
        let appended = try key.withCString { key -> Bool in
            switch value {
            case .double(let number):
                return bson_append_double(bson, key, keyLength, number)
            case .string(let string):
                return string.withCString { bson_append_utf8(bson, key, keyLength, $0, Int32(string.utf8.count)) }
            case .document(let document):
                let child = try encode(document)
                return bson_append_document(bson, key, keyLength, child.pointer)
            case .array(let values):
                let child = try encode(array: values)
                return bson_append_array(bson, key, keyLength, child.pointer)
            case .binary(let data, let subtype):
                var bytes = [UInt8](data)
                if bytes.isEmpty { bytes = [0] }  // a valid pointer; the length below stays 0
                return bytes.withUnsafeBufferPointer {
                    bson_append_binary(
                        bson, key, keyLength, bson_subtype_t(rawValue: UInt32(subtype)), $0.baseAddress,
                        UInt32(data.count))
                }
            case .objectID(let hex):
                guard hex.utf8.count == 24, bson_oid_is_valid(hex, 24) else {
                    throw invalid("\(hex.debugDescription) is not an ObjectId (24 hex digits)")
                }
                var oid = bson_oid_t()
                bson_oid_init_from_string(&oid, hex)
                return bson_append_oid(bson, key, keyLength, &oid)
            case .bool(let flag):
                return bson_append_bool(bson, key, keyLength, flag)
            case .date(let date):
                let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
                guard let value = Int64(exactly: milliseconds) else { throw invalid("the date \(date) is out of range") }
                return bson_append_date_time(bson, key, keyLength, value)
            case .null:
                return bson_append_null(bson, key, keyLength)
            case .int32(let number):
                return bson_append_int32(bson, key, keyLength, number)
            case .int64(let number):
                return bson_append_int64(bson, key, keyLength, number)
            case .unsupported(let type):
                throw invalid("a value of BSON type \(type) read from the server cannot be written back")
            }
        }
        guard appended else { throw invalid("cannot append the value of \(key.debugDescription) (document too large?)") }
    }

    private static func invalid(_ message: String) -> DatabaseError {
        DatabaseError(.queryFailed, "invalid BSON: \(message)")
    }
}
