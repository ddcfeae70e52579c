import FoundationEssentials

// The text forms values take on the wire and in logs.

extension UUID {
    /// UUIDs travel lowercased (the RFC 4122 output form, as Postgres prints them). Formatted
    /// from the bytes: every query binding a UUID and every request id goes through here.
    public var lowercasedString: String {
        withUnsafeBytes(of: uuid) { Self.lowercasedText(of: $0) }
    }

    /// `8-4-4-4-12` lowercase hex of 16 bytes.
    static func lowercasedText(of bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 36) { text in
            var at = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[at] = UInt8(ascii: "-")
                    at += 1
                }
                text[at] = hexDigit(byte >> 4)
                text[at + 1] = hexDigit(byte & 0x0F)
                at += 2
            }
            return at
        }
    }
}

@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
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

extension StringProtocol {
    /// Without leading and trailing whitespace (spaces, tabs, line breaks, Unicode spaces).
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}

extension Sequence<UInt8> {
    /// Lowercase hexadecimal, two digits a byte (digests, signatures).
    public var hexEncoded: String {
        var digits: [UInt8] = []
        digits.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            digits.append(hexDigit(byte >> 4))
            digits.append(hexDigit(byte & 0x0F))
        }
        return String(decoding: digits, as: UTF8.self)
    }
}

extension BinaryInteger {
    /// The decimal digits, padded with leading zeros to `width` (`7.zeroPadded(2)` is "07").
    public func zeroPadded(_ width: Int) -> String {
        let digits = String(self.magnitude)
        let sign = self < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension Double {
    /// Fixed-point with `places` decimals, rounded half away from zero (`0.125.fixed(2)` is "0.13").
    public func fixed(_ places: Int) -> String {
        guard isFinite, magnitude < 1e15 else { return description }
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((magnitude * Double(scale)).rounded())
        let sign = self < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return sign + String(scaled) }
        return sign + String(scaled / scale) + "." + (scaled % scale).zeroPadded(places)
    }
}

extension Unicode.Scalar {
    /// A–Z, a–z or 0–9.
    public var isASCIIAlphanumeric: Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }
}

extension StringProtocol {
    /// `%XX` escapes decoded (RFC 3986); nil for a malformed escape or bytes that are not UTF-8.
    public var percentDecoded: String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
