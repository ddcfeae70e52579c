import CMariaDB

/// Output buffers for one result set, and the conversion of each fetched value to text bytes.
///
/// Integers, floats and temporal values are fetched in their binary form and printed here, so
/// the text does not depend on libmariadb's conversions; everything else (strings, decimals,
/// JSON, blobs, bits) is fetched as bytes, raw. Buffers are sized from the `max_length` that
/// `STMT_ATTR_UPDATE_MAX_LENGTH` makes `mysql_stmt_store_result` compute; a longer value is
/// still read in full with `mysql_stmt_fetch_column`.
final class ResultBuffers {
    private enum Representation {
        case bytes, signed, unsigned, float, double
        case temporal(enum_field_types, decimals: Int)
    }

    let columns: [String]
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let count: Int
    private let representations: [Representation]
    private let buffers: [UnsafeMutableRawPointer]
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>
    private let errors: UnsafeMutablePointer<my_bool>

    init(fields: UnsafeMutablePointer<MYSQL_FIELD>, count: Int) {
        self.count = count
        binds = .allocate(capacity: count)
        binds.initialize(repeating: MYSQL_BIND(), count: count)
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
        nulls = .allocate(capacity: count)
        nulls.initialize(repeating: 0, count: count)
        errors = .allocate(capacity: count)
        errors.initialize(repeating: 0, count: count)
        var columns: [String] = []
        var representations: [Representation] = []
        var buffers: [UnsafeMutableRawPointer] = []
        for index in 0..<count {
            let field = fields[index]
            columns.append(
                String(decoding: UnsafeRawBufferPointer(start: field.name, count: Int(field.name_length)), as: UTF8.self))
            let (representation, type, size) = Self.plan(field)
            representations.append(representation)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            buffers.append(buffer)
            binds[index].buffer_type = type
            binds[index].buffer = buffer
            binds[index].buffer_length = UInt(size)
            binds[index].is_unsigned = field.flags & UInt32(UNSIGNED_FLAG) != 0 ? 1 : 0
            binds[index].length = lengths + index
            binds[index].is_null = nulls + index
            binds[index].error = errors + index
        }
        self.columns = columns
        self.representations = representations
        self.buffers = buffers
    }

    deinit {
        buffers.forEach { $0.deallocate() }
        binds.deinitialize(count: count)
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
        errors.deallocate()
    }

    private static func plan(_ field: MYSQL_FIELD) -> (Representation, enum_field_types, Int) {
        switch field.type {
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_INT24, MYSQL_TYPE_LONG, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_YEAR:
            let unsigned = field.flags & UInt32(UNSIGNED_FLAG) != 0
            return (unsigned ? .unsigned : .signed, MYSQL_TYPE_LONGLONG, 8)
        case MYSQL_TYPE_FLOAT:
            return (.float, MYSQL_TYPE_FLOAT, 4)
        case MYSQL_TYPE_DOUBLE:
            return (.double, MYSQL_TYPE_DOUBLE, 8)
        case MYSQL_TYPE_DATE, MYSQL_TYPE_NEWDATE, MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_TIME:
            let type = field.type == MYSQL_TYPE_NEWDATE ? MYSQL_TYPE_DATE : field.type
            return (.temporal(type, decimals: min(Int(field.decimals), 6)), type, MemoryLayout<MYSQL_TIME>.size)
        default:
            return (.bytes, MYSQL_TYPE_STRING, max(Int(clamping: field.max_length), 1))
        }
    }

    /// The current row's values, after `mysql_stmt_fetch` returned a row (possibly truncated).
    func values(of statement: UnsafeMutablePointer<MYSQL_STMT>) throws(MariaDBFailure) -> [[UInt8]?] {
        var values: [[UInt8]?] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            values.append(nulls[index] != 0 ? nil : try value(at: index, of: statement))
        }
        return values
    }

    private func value(at index: Int, of statement: UnsafeMutablePointer<MYSQL_STMT>) throws(MariaDBFailure) -> [UInt8] {
        let buffer = buffers[index]
        switch representations[index] {
        case .bytes:
            let length = Int(lengths[index])
            if length <= Int(binds[index].buffer_length) {
                return Array(UnsafeRawBufferPointer(start: buffer, count: length))
            }
            return try fetchLong(column: index, length: length, of: statement)
        case .signed: return Array(String(buffer.load(as: Int64.self)).utf8)
        case .unsigned: return Array(String(buffer.load(as: UInt64.self)).utf8)
        case .float: return Array(buffer.load(as: Float.self).description.utf8)
        case .double: return Array(buffer.load(as: Double.self).description.utf8)
        case .temporal(let type, let decimals):
            return Array(TemporalText.format(buffer.load(as: MYSQL_TIME.self), type: type, decimals: decimals).utf8)
        }
    }

    private func fetchLong(column: Int, length: Int, of statement: UnsafeMutablePointer<MYSQL_STMT>) throws(MariaDBFailure)
        -> [UInt8]
    {
        var bytes = [UInt8](repeating: 0, count: length)
        var fetched: UInt = 0
        let status = bytes.withUnsafeMutableBytes { target in
            var bind = MYSQL_BIND()
            bind.buffer_type = MYSQL_TYPE_STRING
            bind.buffer = target.baseAddress
            bind.buffer_length = UInt(length)
            return withUnsafeMutablePointer(to: &fetched) { fetchedPointer in
                bind.length = fetchedPointer
                return mysql_stmt_fetch_column(statement, &bind, UInt32(column), 0)
            }
        }
        guard status == 0 else { throw MariaDBFailure(statement: statement) }
        return Array(bytes.prefix(Int(fetched)))
    }
}
