import Crypto
import FoundationEssentials
import PlatformCore

/// Expiring links to an image's bytes, served by the gateway at `/media/{id}`: the query carries
/// `expires` (Unix seconds) and `signature`, the hex HMAC-SHA256 of `<id>:<expires>` under a key
/// from configuration. A public image's link needs neither.
public struct SignedLinks: Sendable {
    private let key: SymmetricKey
    public let lifetime: Duration
    private let now: @Sendable () -> Date

    public init(key: [UInt8], lifetime: Duration = .seconds(900), now: @escaping @Sendable () -> Date = Date.init) {
        self.key = SymmetricKey(data: key)
        self.lifetime = lifetime
        self.now = now
    }

    public func link(to id: UUID, public isPublic: Bool) -> String {
        let path = "/media/\(id.lowercasedString)"
        guard !isPublic else { return path }
        let expires = Int64(now().timeIntervalSince1970) + lifetime.components.seconds
        return "\(path)?expires=\(expires)&signature=\(signature(id, expires))"
    }

    /// Whether `signature` is this service's for `id` until `expires`, and that is still ahead.
    public func isValid(id: UUID, expires: Int64, signature: String) -> Bool {
        guard expires >= Int64(now().timeIntervalSince1970) else { return false }
        let expected = Array(self.signature(id, expires).utf8)
        let given = Array(signature.lowercased().utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0  // constant time
    }

    func signature(_ id: UUID, _ expires: Int64) -> String {
        let message = Data("\(id.lowercasedString):\(expires)".utf8)
        return HMAC<SHA256>.authenticationCode(for: message, using: key).hexEncoded
    }
}
