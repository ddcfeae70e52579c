import FoundationEssentials
import PlatformCore

/// One result row. Each client hands over column values as raw bytes in its text
/// representation (or raw bytes for binary columns); the accessors decode them.
public struct SQLRow: Sendable {
    public let columns: [String]
    public let values: [[UInt8]?]

    public init(columns: [String], values: [[UInt8]?]) {
        precondition(columns.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    public func raw(_ column: String) throws -> [UInt8]? {
        guard let index = columns.firstIndex(of: column) else {
            throw DatabaseError(.decodingFailed, "no column named '\(column)' in the result")
        }
        return values[index]
    }

    public func isNull(_ column: String) throws -> Bool { try raw(column) == nil }

    public func string(_ column: String) throws -> String? {
        try raw(column).map { String(decoding: $0, as: UTF8.self) }
    }

    public func int(_ column: String) throws -> Int? {
        try decode(column, as: "an integer") { Int($0) }
    }

    public func double(_ column: String) throws -> Double? {
        try decode(column, as: "a number") { Double($0) }
    }

    /// Accepts Postgres (`t`/`f`) and MariaDB (`1`/`0`) spellings.
    public func bool(_ column: String) throws -> Bool? {
        try decode(column, as: "a boolean") { text in
            switch text.lowercased() {
            case "t", "true", "1": true
            case "f", "false", "0": false
            default: nil
            }
        }
    }

    public func uuid(_ column: String) throws -> UUID? {
        try decode(column, as: "a UUID") { UUID(uuidString: $0) }
    }

    /// Accepts Postgres `timestamptz` text and MariaDB `DATETIME(6)` text (read as UTC).
    public func date(_ column: String) throws -> Date? {
        try decode(column, as: "a timestamp") { SQLTimestamp.parse($0) }
    }

    /// Binary columns: Postgres `bytea` arrives hex-escaped (`\x...`), MariaDB blobs arrive raw.
    public func bytes(_ column: String) throws -> [UInt8]? {
        guard let raw = try raw(column) else { return nil }
        if raw.count >= 2, raw[0] == UInt8(ascii: "\\"), raw[1] == UInt8(ascii: "x") {
            guard let decoded = Self.decodeHex(raw.dropFirst(2)) else {
                throw DatabaseError(.decodingFailed, "column '\(column)' is not valid hex bytea")
            }
            return decoded
        }
        return raw
    }

    public func required<T>(_ column: String, _ accessor: (String) throws -> T?) throws -> T {
        guard let value = try accessor(column) else {
            throw DatabaseError(.decodingFailed, "column '\(column)' is NULL")
        }
        return value
    }

    private func decode<T>(_ column: String, as what: String, _ parse: (String) -> T?) throws -> T? {
        guard let text = try string(column) else { return nil }
        guard let value = parse(text) else {
            throw DatabaseError(.decodingFailed, "column '\(column)' is not \(what)")
        }
        return value
    }

    private static func decodeHex(_ hex: ArraySlice<UInt8>) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(hex.count / 2)
        var index = hex.startIndex
        while index < hex.endIndex {
            guard let high = nibble(hex[index]), let low = nibble(hex[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}

/// Timestamps as text, the way both SQL servers print and accept them.
public enum SQLTimestamp {
    /// `2026-11-23 11:23:42.123456` in UTC: accepted by Postgres `timestamptz` (with `+00`) and MariaDB `DATETIME(6)`.
    public static func format(_ date: Date, withZone: Bool) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = seconds.rounded(.down)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        if micros == 1_000_000 { whole += 1; micros = 0 }
        let components = Calendar.utc.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        let text =
            "\(components.year!.zeroPadded(4))-\(components.month!.zeroPadded(2))-\(components.day!.zeroPadded(2)) "
            + "\(components.hour!.zeroPadded(2)):\(components.minute!.zeroPadded(2)):\(components.second!.zeroPadded(2))"
            + ".\(micros.zeroPadded(6))"
        return withZone ? text + "+00" : text
    }

    /// Parses `YYYY-MM-DD` or `YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z|±HH[:MM]]`; no zone means UTC.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ length: Int) -> Int? {
            guard from + length <= chars.count else { return nil }
            var value = 0
            for c in chars[from..<from + length] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard chars.count >= 10, let year = number(0, 4), let month = number(5, 2), let day = number(8, 2) else {
            return nil
        }
        let isDateOnly = chars.count == 10
        guard isDateOnly || chars.count >= 19 else { return nil }
        let hour = isDateOnly ? 0 : number(11, 2)
        let minute = isDateOnly ? 0 : number(14, 2)
        let second = isDateOnly ? 0 : number(17, 2)
        guard let hour, let minute, let second else { return nil }
        var index = isDateOnly ? 10 : 19
        var fraction = 0.0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < chars.count {
            switch chars[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"): break
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = chars[index] == UInt8(ascii: "+") ? 1 : -1
                guard let hours = number(index + 1, 2) else { return nil }
                var minutes = 0
                if index + 3 < chars.count {
                    let minuteStart = chars[index + 3] == UInt8(ascii: ":") ? index + 4 : index + 3
                    minutes = number(minuteStart, 2) ?? 0
                }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
            default: return nil
            }
        }
        let components = DateComponents(
            calendar: .utc, timeZone: .gmt, year: year, month: month, day: day, hour: hour, minute: minute,
            second: second)
        guard let base = Calendar.utc.date(from: components) else { return nil }
        return base.addingTimeInterval(fraction - Double(offsetSeconds))
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}
