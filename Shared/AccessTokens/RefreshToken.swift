import Crypto
import FoundationEssentials
import PlatformCore

/// Opaque refresh tokens: 256 random bits, base64url. Only their SHA-256 is stored, so a database
/// leak reveals no usable token.
public enum RefreshToken {
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URLEncoded
    }

    public static func hash(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(token.utf8)))
    }
}
