import CMariaDB
import DatabaseKit
import FoundationEssentials
import PlatformCore

/// The `MYSQL_BIND` array and value buffers of one execution's parameters; they must outlive
/// `mysql_stmt_execute`, so this object is kept alive until the statement has run.
///
/// Mapping: string → STRING, int → LONGLONG, double → DOUBLE, bool → TINY, bytes → BLOB,
/// date → STRING `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), uuid → lowercase STRING, null → NULL.
final class ParameterBuffers {
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let count: Int
    private var allocations: [UnsafeMutableRawPointer] = []

    init(_ values: [SQLValue]) {
        count = max(values.count, 1)
        binds = .allocate(capacity: count)
        binds.initialize(repeating: MYSQL_BIND(), count: count)
        for (index, value) in values.enumerated() {
            bind(value, at: index)
        }
    }

    deinit {
        binds.deinitialize(count: count)
        binds.deallocate()
        allocations.forEach { $0.deallocate() }
    }

    private func bind(_ value: SQLValue, at index: Int) {
        switch value {
        case .null: binds[index].buffer_type = MYSQL_TYPE_NULL
        case .string(let text): bytes(text.utf8, MYSQL_TYPE_STRING, at: index)
        case .int(let number): scalar(number, MYSQL_TYPE_LONGLONG, at: index)
        case .double(let number): scalar(number, MYSQL_TYPE_DOUBLE, at: index)
        case .bool(let flag): scalar(Int8(flag ? 1 : 0), MYSQL_TYPE_TINY, at: index)
        case .bytes(let data): bytes(data, MYSQL_TYPE_BLOB, at: index)
        case .date(let date): bytes(SQLTimestamp.format(date, withZone: false).utf8, MYSQL_TYPE_STRING, at: index)
        case .uuid(let uuid): bytes(uuid.lowercasedString.utf8, MYSQL_TYPE_STRING, at: index)
        }
    }

    private func scalar<T: BitwiseCopyable>(_ value: T, _ type: enum_field_types, at index: Int) {
        let buffer = allocate(MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        buffer.storeBytes(of: value, as: T.self)
        binds[index].buffer_type = type
        binds[index].buffer = buffer
        binds[index].buffer_length = UInt(MemoryLayout<T>.size)
    }

    private func bytes(_ data: some Collection<UInt8>, _ type: enum_field_types, at index: Int) {
        let buffer = allocate(max(data.count, 1), alignment: 1)
        UnsafeMutableRawBufferPointer(start: buffer, count: data.count).copyBytes(from: data)
        binds[index].buffer_type = type
        binds[index].buffer = buffer
        binds[index].buffer_length = UInt(data.count)
    }

    private func allocate(_ size: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: alignment)
        allocations.append(buffer)
        return buffer
    }
}
