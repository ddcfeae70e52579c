import CRabbitMQ
import FoundationEssentials
import Glibc

/// C memory handed to librabbitmq, which only borrows strings, bodies and tables during a call:
/// everything allocated here lives until the `withArena` body returns.
final class CArena {
    enum FieldValue {
        case string(String)
        case int(Int64)
    }

    private var allocations: [UnsafeMutableRawPointer] = []

    /// A NUL-terminated copy; a string with an embedded NUL is cut there.
    func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        let pointer = strdup(string)!
        allocations.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    func bytes(_ string: String) -> amqp_bytes_t {
        amqp_cstring_bytes(cString(string))
    }

    func bytes(_ data: [UInt8]) -> amqp_bytes_t {
        let memory = malloc(max(data.count, 1))!
        allocations.append(memory)
        data.withUnsafeBytes { source in
            if let base = source.baseAddress { memory.copyMemory(from: base, byteCount: source.count) }
        }
        return amqp_bytes_t(len: data.count, bytes: memory)
    }

    func table(_ fields: [(key: String, value: FieldValue)]) -> amqp_table_t {
        guard !fields.isEmpty else { return amqp_empty_table }
        let entries = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: fields.count)
        allocations.append(UnsafeMutableRawPointer(entries))
        for (index, field) in fields.enumerated() {
            let key = cString(field.key)
            switch field.value {
            case .string(let value): entries[index] = platform_amqp_utf8_entry(key, cString(value))
            case .int(let value): entries[index] = platform_amqp_i64_entry(key, value)
            }
        }
        return amqp_table_t(num_entries: Int32(fields.count), entries: entries)
    }

    fileprivate func release() {
        for allocation in allocations { free(allocation) }
        allocations = []
    }
}

func withArena<T>(_ body: (CArena) throws -> T) rethrows -> T {
    let arena = CArena()
    defer { arena.release() }
    return try body(arena)
}

extension amqp_bytes_t {
    /// A copy of the bytes.
    var array: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }

    /// The bytes decoded as UTF-8 (invalid sequences replaced).
    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }
}

extension amqp_table_t {
    /// String and integer entries rendered as strings; nested tables, arrays and others are skipped.
    var stringValues: [String: String] {
        guard num_entries > 0, let entries else { return [:] }
        var result: [String: String] = [:]
        for index in 0..<Int(num_entries) {
            let entry = entries[index]
            if let value = entry.value.renderedScalar { result[entry.key.string] = value }
        }
        return result
    }
}

extension amqp_field_value_t {
    var renderedScalar: String? {
        switch UInt32(kind) {
        case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue: value.bytes.string
        case AMQP_FIELD_KIND_BOOLEAN.rawValue: value.boolean != 0 ? "true" : "false"
        case AMQP_FIELD_KIND_I8.rawValue: String(value.i8)
        case AMQP_FIELD_KIND_U8.rawValue: String(value.u8)
        case AMQP_FIELD_KIND_I16.rawValue: String(value.i16)
        case AMQP_FIELD_KIND_U16.rawValue: String(value.u16)
        case AMQP_FIELD_KIND_I32.rawValue: String(value.i32)
        case AMQP_FIELD_KIND_U32.rawValue: String(value.u32)
        case AMQP_FIELD_KIND_I64.rawValue: String(value.i64)
        case AMQP_FIELD_KIND_U64.rawValue, AMQP_FIELD_KIND_TIMESTAMP.rawValue: String(value.u64)
        default: nil
        }
    }
}
