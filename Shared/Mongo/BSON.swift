import FoundationEssentials

/// One BSON value.
///
/// Values travel to and from libmongoc as real BSON (built with libbson's append functions),
/// never as Extended JSON text, so a string such as `{"$oid": "…"}` stays a string.
/// Integer literals become `.int32` when they fit and `.int64` otherwise; read numbers back
/// with `intValue`, which accepts either width.
public enum BSON: Sendable, Equatable {
    case double(Double)
    case string(String)
    case document(BSONDocument)
    case array([BSON])
    /// Binary data with its BSON subtype (0 generic, 4 UUID, ...).
    case binary(Data, subtype: UInt8 = 0)
    /// An ObjectId as 24 lowercase hex digits.
    case objectID(String)
    case bool(Bool)
    /// A UTC datetime, stored with millisecond precision.
    case date(Date)
    case null
    case int32(Int32)
    case int64(Int64)
    /// A value of a BSON type this module does not model (timestamp, decimal128, regex, ...),
    /// with its type byte. Read-only: writing it back fails.
    case unsupported(type: UInt8)

    /// An `.int32` when `value` fits, else an `.int64`.
    public init(_ value: Int) {
        if let small = Int32(exactly: value) { self = .int32(small) } else { self = .int64(Int64(value)) }
    }

    /// A fresh ObjectId, made by libbson (time, process and counter, like every driver's).
    public static func newObjectID() -> BSON { .objectID(ObjectIDGenerator.next()) }
}

extension BSON {
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var dateValue: Date? { if case .date(let value) = self { value } else { nil } }
    public var documentValue: BSONDocument? { if case .document(let value) = self { value } else { nil } }
    public var arrayValue: [BSON]? { if case .array(let value) = self { value } else { nil } }
    public var objectIDValue: String? { if case .objectID(let value) = self { value } else { nil } }
    public var isNull: Bool { self == .null }

    /// The value of an `.int32` or `.int64` (or of a `.double` holding a whole number).
    public var intValue: Int? {
        switch self {
        case .int32(let value): Int(value)
        case .int64(let value): Int(exactly: value)
        case .double(let value): Int(exactly: value)
        default: nil
        }
    }

    /// The value of any numeric case as a `Double`.
    public var doubleValue: Double? {
        switch self {
        case .double(let value): value
        case .int32(let value): Double(value)
        case .int64(let value): Double(value)
        default: nil
        }
    }
}

extension BSON: ExpressibleByStringLiteral, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self.init(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: BSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, BSON)...) {
        self = .document(BSONDocument(elements))
    }
}
