import Foundation
import OpenAPIRuntime
import PlatformCore

/// Dates in the platform's one format, RFC 3339 UTC with milliseconds (`2026-11-23T12:29:48.722Z`);
/// parses with or without fractional seconds.
public struct RFC3339DateTranscoder: DateTranscoder {
    public init() {}

    public func encode(_ date: Date) throws -> String { date.rfc3339 }

    public func decode(_ text: String) throws -> Date {
        if let date = try? Date(text, strategy: Self.withFractions) { return date }
        if let date = try? Date(text, strategy: Self.wholeSeconds) { return date }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text)' is not an RFC 3339 time"))
    }

    private static let withFractions = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let wholeSeconds = Date.ISO8601FormatStyle()
}
