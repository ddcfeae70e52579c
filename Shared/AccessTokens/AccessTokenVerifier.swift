import FoundationEssentials
import PlatformCore
import JWTKit

/// Why a token was refused. The reason is for logs and for `ValidateToken`'s message; clients of
/// the gateway see one generic 401.
public enum TokenRejection: Error, Equatable, Sendable {
    case malformed
    case unsupportedAlgorithm(String)
    case unknownKey
    case badSignature
    case expired
    case notYetValid
    case wrongIssuer
    case wrongAudience
    case revoked

    public var message: String {
        switch self {
        case .malformed: "the token is malformed"
        case .unsupportedAlgorithm(let alg): "the algorithm '\(alg)' is not accepted"
        case .unknownKey: "the token was signed by an unknown key"
        case .badSignature: "the token's signature does not verify"
        case .expired: "the token has expired"
        case .notYetValid: "the token is not valid yet"
        case .wrongIssuer: "the token was issued by someone else"
        case .wrongAudience: "the token is meant for someone else"
        case .revoked: "the token's session was revoked"
        }
    }
}

/// Checks an access token offline: header (only ES256 with a known `kid`), signature, expiry,
/// issuer and audience. Revocation is the caller's check, against its own session view.
public final class AccessTokenVerifier: Sendable {
    public let settings: TokenSettings
    private let keys: JWTKeyCollection
    private let kids: Set<String>
    /// Tolerated clock difference between issuer and verifier.
    private let leeway: TimeInterval

    public init(settings: TokenSettings, jwks: JWKSet, leeway: TimeInterval = TokenSettings.clockLeeway) async throws {
        self.settings = settings
        self.leeway = leeway
        keys = JWTKeyCollection()
        for jwk in jwks.keys {
            await keys.add(ecdsa: try ES256PublicKey(parameters: (jwk.x, jwk.y)), kid: JWKIdentifier(string: jwk.kid))
        }
        self.kids = Set(jwks.keys.map(\.kid))
    }

    /// - Parameter checkExpiry: false only to act on a token's session after it expired (logout).
    public func verify(_ token: String, now: Date = Date(), checkExpiry: Bool = true) async throws(TokenRejection) -> AccessClaims {
        let header = try Self.header(of: token)
        guard header.alg == "ES256" else { throw .unsupportedAlgorithm(header.alg ?? "") }
        guard let kid = header.kid, kids.contains(kid) else { throw .unknownKey }
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch {
            throw .malformed
        }
        guard !checkExpiry || claims.exp.value.timeIntervalSince(now) > -leeway else { throw .expired }
        guard claims.iat.value.timeIntervalSince(now) < leeway else { throw .notYetValid }
        guard claims.iss.value == settings.issuer else { throw .wrongIssuer }
        guard claims.aud.value.contains(settings.audience) else { throw .wrongAudience }
        return claims
    }

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    private static func header(of token: String) throws(TokenRejection) -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count <= 8192, let data = Data(base64URLEncoded: parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: data)
        else { throw .malformed }
        return header
    }
}
