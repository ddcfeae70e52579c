/// Any JSON value (RFC 8259), for documents whose shape is not a Swift type: the OpenAPI document,
/// which fields of a request body are explicitly null. Parsed by hand in one pass over the bytes;
/// `JSONDecoder` with a try-each-type fallback was slow enough to stall the gateway's start.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public struct SyntaxError: Error, CustomStringConvertible {
        public let offset: Int
        public var description: String { "invalid JSON at byte \(offset)" }
    }

    public init(parsing bytes: some Collection<UInt8>) throws {
        var parser = Parser(bytes: Array(bytes))
        self = try parser.document()
    }

    public subscript(key: String) -> JSONValue? { object?[key] }

    public var object: [String: JSONValue]? { if case .object(let object) = self { object } else { nil } }
    public var array: [JSONValue]? { if case .array(let array) = self { array } else { nil } }
    public var string: String? { if case .string(let string) = self { string } else { nil } }
}

private struct Parser {
    let bytes: [UInt8]
    var index = 0
    /// Deeper documents are refused rather than risking the stack.
    static let maximumDepth = 256

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws -> JSONValue {
        let value = try self.value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw failure() }
        return value
    }

    private func failure() -> JSONValue.SyntaxError { JSONValue.SyntaxError(offset: index) }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func expect(_ literal: String) throws {
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw failure() }
            index += 1
        }
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure() }
        skipWhitespace()
        guard index < bytes.count else { throw failure() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object(try object(depth: depth))
        case UInt8(ascii: "["): return .array(try array(depth: depth))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return .number(try number())
        }
    }

    private mutating func object(depth: Int) throws -> [String: JSONValue] {
        index += 1
        var object: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return object }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure() }
            let key = try string()
            skipWhitespace()
            try expect(":")
            object[key] = try value(depth: depth + 1)
            skipWhitespace()
            guard index < bytes.count else { throw failure() }
            index += 1
            switch bytes[index - 1] {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return object
            default: index -= 1; throw failure()
            }
        }
    }

    private mutating func array(depth: Int) throws -> [JSONValue] {
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return array }
        while true {
            array.append(try value(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw failure() }
            index += 1
            switch bytes[index - 1] {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return array
            default: index -= 1; throw failure()
            }
        }
    }

    private mutating func string() throws -> String {
        index += 1
        var utf8: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw failure() }
                return text
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure() }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: try unicodeEscape())
                default: throw failure()
                }
            case 0x00..<0x20: throw failure()
            default: utf8.append(byte)
            }
        }
        throw failure()
    }

    /// `\uXXXX`, joining a surrogate pair; a lone surrogate becomes U+FFFD.
    private mutating func unicodeEscape() throws -> [UInt8] {
        var value = try hex4()
        if (0xD800..<0xDC00).contains(value), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
        {
            let save = index
            index += 2
            let low = try hex4()
            if (0xDC00..<0xE000).contains(low) {
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            } else {
                index = save
            }
        }
        return Array(String(Character(Unicode.Scalar(value) ?? "\u{FFFD}")).utf8)
    }

    private mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw failure() }
        index += 4
        return value
    }

    private mutating func number() throws -> Double {
        let start = index
        while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
        guard index > start, let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else { throw failure() }
        return value
    }
}
