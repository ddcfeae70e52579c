import CLibPQ
import DatabaseKit
import FoundationEssentials
import PlatformCore
import Glibc

/// One libpq connection. Only ever used by one pool thread at a time; every call blocks.
public final class PostgresConnection: PooledConnection, @unchecked Sendable {
    private let handle: OpaquePointer
    private var broken = false
    /// While not nil, the operation of every statement run is appended (a transaction's span lists them).
    var recordedOperations: [String]?

    init(configuration: PostgresConfiguration) throws {
        let keywords = ["dbname", "connect_timeout", "application_name"]
        let values = [configuration.url, String(configuration.connectTimeoutSeconds), configuration.applicationName]
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else { throw DatabaseError(.connectionFailed, "libpq could not allocate a connection") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingWhitespace()
            PQfinish(connection)
            throw DatabaseError(.connectionFailed, message)
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        self.handle = connection
        _ = try execute("SET TIME ZONE 'UTC'")
    }

    public var isUsable: Bool { !broken && PQstatus(handle) == CONNECTION_OK }

    /// True inside a transaction that a failed statement aborted: its COMMIT would silently roll back.
    var isInFailedTransaction: Bool { PQtransactionStatus(handle) == PQTRANS_INERROR }

    public func close() { PQfinish(handle) }

    /// Runs one statement with `$1…$n` placeholders and returns its rows.
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [SQLRow] {
        try withResult(sql, parameters) { result in
            let rowCount = Int(PQntuples(result))
            let columnCount = Int(PQnfields(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            return (0..<rowCount).map { row in
                let values = (0..<columnCount).map { column -> [UInt8]? in
                    if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
                    let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                    let start = PQgetvalue(result, Int32(row), Int32(column))!
                    return start.withMemoryRebound(to: UInt8.self, capacity: length) {
                        Array(UnsafeBufferPointer(start: $0, count: length))
                    }
                }
                return SQLRow(columns: columns, values: values)
            }
        }
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) throws -> UInt64 {
        try withResult(sql, parameters) { result in UInt64(String(cString: PQcmdTuples(result))) ?? 0 }
    }

    /// Runs trusted SQL that may hold several statements (migration files only: no parameters possible).
    func executeScript(_ sql: String) throws {
        guard let result = PQexec(handle, sql) else { throw lostConnection() }
        defer { PQclear(result) }
        try check(result)
    }

    private func withResult<T>(_ sql: String, _ parameters: [SQLValue], _ body: (OpaquePointer) throws -> T) throws -> T {
        recordedOperations?.append(DatabaseSpans.operation(of: sql))
        let encoded = parameters.map(PostgresParameter.init)
        let result = withParameterPointers(encoded) { values, lengths, formats in
            PQexecParams(handle, sql, Int32(encoded.count), nil, values, lengths, formats, 0)
        }
        guard let result else { throw lostConnection() }
        defer { PQclear(result) }
        try check(result)
        return try body(result)
    }

    private func check(_ result: OpaquePointer) throws {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            func field(_ code: Character) -> String? {
                PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            let sqlState = field("C")
            let message = field("M") ?? String(cString: PQerrorMessage(handle)).trimmingWhitespace()
            throw classify(sqlState: sqlState, message: Self.redacted(message, sqlState: sqlState), constraint: field("n"))
        }
    }

    /// Data errors (class 22) quote the offending input, which may be a parameter value:
    /// `invalid input syntax for type integer: "…"` keeps the kind of problem, not the value.
    private static func redacted(_ message: String, sqlState: String?) -> String {
        guard sqlState?.hasPrefix("22") == true, let first = message.firstIndex(of: "\""),
            let last = message.lastIndex(of: "\""), first < last
        else { return message }
        return String(message[..<first]) + "\"…\"" + String(message[message.index(after: last)...])
    }

    private func classify(sqlState: String?, message: String, constraint: String?) -> DatabaseError {
        if PQstatus(handle) != CONNECTION_OK { broken = true }
        guard let sqlState else { return lostConnection(message) }
        switch sqlState {
        case "23505": return DatabaseError(.uniqueViolation, message, code: sqlState, constraint: constraint)
        case "23503", "23502", "23514", "23P01":
            return DatabaseError(.constraintViolation, message, code: sqlState, constraint: constraint)
        // A wrong number of parameters is a protocol violation the session survives: a bad statement.
        case "08P01" where !broken: return DatabaseError(.queryFailed, message, code: sqlState)
        case _ where sqlState.hasPrefix("08"), "57P01", "57P02", "57P03":
            broken = true
            return DatabaseError(.connectionLost, message, code: sqlState)
        default: return DatabaseError(.queryFailed, message, code: sqlState)
        }
    }

    private func lostConnection(_ message: String? = nil) -> DatabaseError {
        broken = true
        let text = message ?? String(cString: PQerrorMessage(handle)).trimmingWhitespace()
        return DatabaseError(.connectionLost, text.isEmpty ? "connection to Postgres lost" : text)
    }
}

/// A parameter in libpq's wire form: text for everything but `bytea`, which goes as binary.
private struct PostgresParameter {
    let bytes: [UInt8]?
    let isBinary: Bool

    init(_ value: SQLValue) {
        switch value {
        case .null: (bytes, isBinary) = (nil, false)
        case .string(let string): (bytes, isBinary) = (Array(string.utf8), false)
        case .int(let int): (bytes, isBinary) = (Array(String(int).utf8), false)
        case .double(let double): (bytes, isBinary) = (Array(Self.text(double).utf8), false)
        case .bool(let bool): (bytes, isBinary) = (Array((bool ? "true" : "false").utf8), false)
        case .bytes(let data): (bytes, isBinary) = (data, true)
        case .date(let date): (bytes, isBinary) = (Array(SQLTimestamp.format(date, withZone: true).utf8), false)
        case .uuid(let uuid): (bytes, isBinary) = (Array(uuid.lowercasedString.utf8), false)
        }
    }

    private static func text(_ double: Double) -> String {
        if double.isNaN { return "NaN" }
        if double.isInfinite { return double > 0 ? "Infinity" : "-Infinity" }
        return "\(double)"
    }
}

private func withParameterPointers<T>(
    _ parameters: [PostgresParameter],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> T
) -> T {
    // Text parameters must be NUL-terminated; binary ones are read by length.
    let buffers: [UnsafeMutablePointer<CChar>?] = parameters.map { parameter in
        guard let bytes = parameter.bytes else { return nil }
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        bytes.withUnsafeBytes { raw in
            UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count)
        }
        buffer[bytes.count] = 0
        return buffer
    }
    defer { buffers.forEach { $0?.deallocate() } }
    let values = buffers.map { UnsafePointer($0) }
    let lengths = parameters.map { Int32($0.bytes?.count ?? 0) }
    let formats = parameters.map { Int32($0.isBinary ? 1 : 0) }
    return values.withUnsafeBufferPointer { values in
        lengths.withUnsafeBufferPointer { lengths in
            formats.withUnsafeBufferPointer { formats in
                body(values.baseAddress, lengths.baseAddress, formats.baseAddress)
            }
        }
    }
}

private func withCStringArray<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { $0.map { UnsafePointer<CChar>($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
