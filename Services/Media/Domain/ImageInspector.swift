/// What the bytes of an upload are, read from their header: the type is decided here, never by
/// the name or the declared type. PNG, JPEG, WebP and GIF only.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png = "image/png"
    case jpeg = "image/jpeg"
    case webp = "image/webp"
    case gif = "image/gif"

    public var contentType: String { rawValue }
}

public struct ImageHeader: Sendable, Equatable {
    public let format: ImageFormat
    public let width: Int
    public let height: Int

    public init(format: ImageFormat, width: Int, height: Int) {
        self.format = format
        self.width = width
        self.height = height
    }
}

public enum ImageInspector {
    /// How many leading bytes `inspect` may need (a JPEG's frame header can follow large metadata).
    public static let headerLimit = 512 * 1024

    /// The format and size the header declares, or nil for anything else (or a header too short
    /// or malformed to tell).
    public static func inspect(_ bytes: [UInt8]) -> ImageHeader? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return png(bytes) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return jpeg(bytes) }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return gif(bytes) }
        if bytes.count >= 16, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return webp(bytes) }
        return nil
    }

    static func png(_ b: [UInt8]) -> ImageHeader? {
        guard b.count >= 24, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        return header(.png, Int(be32(b, 16)), Int(be32(b, 20)))
    }

    static func gif(_ b: [UInt8]) -> ImageHeader? {
        guard b.count >= 10 else { return nil }
        return header(.gif, Int(le16(b, 6)), Int(le16(b, 8)))
    }

    static func webp(_ b: [UInt8]) -> ImageHeader? {
        guard b.count >= 30 else { return nil }
        switch String(decoding: b[12..<16], as: UTF8.self) {
        case "VP8 ":
            guard b[23] == 0x9D, b[24] == 0x01, b[25] == 0x2A else { return nil }
            return header(.webp, Int(le16(b, 26) & 0x3FFF), Int(le16(b, 28) & 0x3FFF))
        case "VP8L":
            guard b[20] == 0x2F else { return nil }
            let (b0, b1, b2, b3) = (Int(b[21]), Int(b[22]), Int(b[23]), Int(b[24]))
            return header(.webp, 1 + (((b1 & 0x3F) << 8) | b0), 1 + (((b3 & 0x0F) << 10) | (b2 << 2) | ((b1 & 0xC0) >> 6)))
        case "VP8X":
            return header(.webp, 1 + le24(b, 24), 1 + le24(b, 27))
        default:
            return nil
        }
    }

    /// Walks the markers up to the first frame header (SOFn), which holds the size.
    static func jpeg(_ b: [UInt8]) -> ImageHeader? {
        var i = 2
        while i + 3 < b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF {
                i += 1  // fill byte
                continue
            }
            if marker == 0x01 || (0xD0...0xD9).contains(marker) {
                i += 2
                continue
            }
            let length = Int(be16(b, i + 2))
            guard length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard i + 8 < b.count else { return nil }
                return header(.jpeg, Int(be16(b, i + 7)), Int(be16(b, i + 5)))
            }
            if marker == 0xDA { return nil }  // image data before any frame header
            i += 2 + length
        }
        return nil
    }

    static func header(_ format: ImageFormat, _ width: Int, _ height: Int) -> ImageHeader? {
        width > 0 && height > 0 ? ImageHeader(format: format, width: width, height: height) : nil
    }

    static func be16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
    static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
    static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func le24(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }
}
