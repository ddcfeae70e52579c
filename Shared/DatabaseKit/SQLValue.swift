import FoundationEssentials

/// A parameter bound to a placeholder (`$1` for Postgres, `?` for MariaDB).
///
/// Values are never spliced into SQL text: each client sends them separately from the statement.
public enum SQLValue: Sendable, Equatable {
    case null
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case bytes([UInt8])
    case date(Date)
    case uuid(UUID)
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension SQLValue {
    public init(_ value: String?) { self = value.map(SQLValue.string) ?? .null }
    public init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
    public init(_ value: Date?) { self = value.map(SQLValue.date) ?? .null }
    public init(_ value: UUID?) { self = value.map(SQLValue.uuid) ?? .null }
    public init(_ value: Bool?) { self = value.map(SQLValue.bool) ?? .null }
}

extension SQLValue {
    /// A duration as a number of seconds (with fractions), e.g. for `make_interval(secs => $1)`.
    public static func seconds(_ duration: Duration) -> SQLValue {
        let parts = duration.components
        return .double(Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }
}

extension SQLValue {
    /// A `LIKE … ESCAPE '\'` pattern matching any text that contains `text` literally (its `%`,
    /// `_` and `\` are escaped).
    public static func containing(_ text: String) -> SQLValue {
        let escaped = text.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_")
        return .string("%" + escaped + "%")
    }
}
