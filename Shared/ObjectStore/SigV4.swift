import Crypto
import FoundationEssentials
import PlatformCore

/// AWS Signature Version 4 for one request (header-based), as the SigV4 documentation specifies:
/// canonical request → string to sign → HMAC chain of date, region, service → signature.
/// Pure and clock-free: the time is an argument, so the published test vectors pin it down.
public struct SigV4Signer: Sendable {
    public struct Credentials: Sendable {
        public let accessKey: String
        public let secretKey: String

        public init(accessKey: String, secretKey: String) {
            self.accessKey = accessKey
            self.secretKey = secretKey
        }
    }

    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public let credentials: Credentials
    public let region: String
    public let service: String

    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to the request: `x-amz-date`, and `Authorization` over `headers` (which
    /// must include `host`; every header given is signed) and the payload's SHA-256 (hex).
    /// `path` is the URI path as sent (already percent-encoded); `query` the raw query string.
    public func sign(
        method: String, path: String, query: String = "", headers: [(String, String)], payloadHash: String, date: Date
    ) -> (amzDate: String, authorization: String) {
        let amzDate = Self.timestamp(date)
        let day = String(amzDate.prefix(8))
        var canonicalHeaders: [String: String] = [:]
        for (name, value) in headers + [("x-amz-date", amzDate)] {
            let key = name.lowercased()
            let trimmed = Self.collapsingSpaces(value)
            canonicalHeaders[key] = canonicalHeaders[key].map { "\($0),\(trimmed)" } ?? trimmed
        }
        let names = canonicalHeaders.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            method.uppercased(), path.isEmpty ? "/" : path, Self.canonicalQuery(query),
            names.map { "\($0):\(canonicalHeaders[$0]!)\n" }.joined(), signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        return (
            amzDate,
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        )
    }

    /// `20150830T123600Z`.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt  // needs no time zone database (slim images have none)
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return parts.year!.zeroPadded(4) + parts.month!.zeroPadded(2) + parts.day!.zeroPadded(2) + "T"
            + parts.hour!.zeroPadded(2) + parts.minute!.zeroPadded(2) + parts.second!.zeroPadded(2) + "Z"
    }

    /// Parameters sorted by encoded name, then value, each side URI-encoded the AWS way.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).percentDecoded ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).percentDecoded ?? String(parts[1])) : ""
            return (uriEncode(name), uriEncode(value))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 unreserved characters stay, everything else is `%XX` (upper case); `/` too unless
    /// `keepingSlashes` (object keys in a path).
    public static func uriEncode(_ text: String, keepingSlashes: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            let character = Character(UnicodeScalar(byte))
            if character.isASCII && (character.isLetter || character.isNumber || "-._~".contains(character))
                || (keepingSlashes && character == "/")
            {
                out.append(character)
            } else {
                out += "%" + [byte].hexEncoded.uppercased()
            }
        }
        return out
    }

    static func collapsingSpaces(_ value: String) -> String {
        value.trimmingWhitespace().split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.hexEncoded
    }
}
