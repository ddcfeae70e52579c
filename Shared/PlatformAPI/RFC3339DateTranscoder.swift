import FoundationEssentials
import OpenAPIRuntime
import PlatformCore

/// Dates in the platform's one format, RFC 3339 UTC with milliseconds (`2026-11-23T12:29:48.722Z`);
/// parses with or without fractional seconds.
public struct RFC3339DateTranscoder: DateTranscoder {
    public init() {}

    public func encode(_ date: Date) throws -> String { date.rfc3339 }

    public func decode(_ text: String) throws -> Date {
        guard let date = Date(rfc3339: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "'\(text)' is not an RFC 3339 time"))
        }
        return date
    }
}
