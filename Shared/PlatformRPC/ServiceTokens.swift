import Crypto
import FoundationEssentials
import PlatformCore

/// Short-lived tokens by which one service proves to another who is calling, without mTLS:
/// `v1.<caller>.<expiry, Unix seconds>.<HMAC-SHA256 of the rest, base64url>`, signed with a key
/// only the services share (`PLATFORM_SERVICE_KEY`). A process on the network without the key
/// cannot make one.
public struct ServiceTokens: Sendable {
    public static let metadataKey = "x-service-token"
    public let caller: String
    private let key: SymmetricKey
    public let lifetime: Duration

    /// - Parameter key: 32 or more bytes of secret.
    public init(caller: String, key: [UInt8], lifetime: Duration = .seconds(300)) {
        self.caller = caller
        self.key = SymmetricKey(data: key)
        self.lifetime = lifetime
    }

    /// A token naming this service, valid for `lifetime` from `now`.
    public func token(now: Date = Date()) -> String {
        let body = "v1.\(caller).\(Int64(now.timeIntervalSince1970) + lifetime.components.seconds)"
        return body + "." + signature(of: body)
    }

    /// The caller a valid token names; nil for anything else (forged, expired, malformed).
    public func caller(of token: String, now: Date = Date()) -> String? {
        guard let dot = token.lastIndex(of: ".") else { return nil }
        let body = token[..<dot]
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", !parts[1].isEmpty, let expiry = Int64(parts[2]),
            Int64(now.timeIntervalSince1970) < expiry,
            let given = Data(base64URLEncoded: token[token.index(after: dot)...]),
            HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Array(body.utf8), using: key)
        else { return nil }
        return String(parts[1])
    }

    private func signature(of body: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: key)).base64URLEncoded
    }
}
