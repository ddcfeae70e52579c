import Foundation

// The text forms values take on the wire and in logs.

extension UUID {
    /// UUIDs travel lowercased (the RFC 4122 output form, as Postgres prints them).
    public var lowercasedString: String { uuidString.lowercased() }
}

extension Date {
    private static let rfc3339Style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// RFC 3339 UTC with milliseconds, the one time format of logs and APIs: `2026-11-23T12:29:48.722Z`.
    public var rfc3339: String { Self.rfc3339Style.format(self) }

    /// Parses RFC 3339 with or without fractional seconds; nil for anything else.
    public init?(rfc3339 text: String) {
        if let date = try? Date(text, strategy: Self.rfc3339Style) {
            self = date
        } else if let date = try? Date(text, strategy: Self.wholeSecondsStyle) {
            self = date
        } else {
            return nil
        }
    }

    private static let wholeSecondsStyle = Date.ISO8601FormatStyle()
}

extension String {
    /// Nil for the empty string: proto3's form of an unset text field.
    public var nonEmpty: String? { isEmpty ? nil : self }
}
