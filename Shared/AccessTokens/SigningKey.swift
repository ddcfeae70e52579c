import Crypto
import FoundationEssentials
import PlatformCore
import JWTKit

/// An ES256 (P-256) signing key and its key id, the RFC 7638 thumbprint of its public half.
///
/// No key is ever part of the repository: idm takes one from `IDM_SIGNING_KEY` or generates one
/// on its first start (see `SigningKeyStore`).
public struct SigningKey: Sendable {
    public let privateKey: ES256PrivateKey
    public let kid: String
    /// The public half as a JWK.
    public let publicJWK: PublicJWK

    public init(privateKey: ES256PrivateKey) throws {
        self.privateKey = privateKey
        guard let parameters = privateKey.parameters else { throw TokenKeyError("the key has no public parameters") }
        kid = Self.thumbprint(x: parameters.x, y: parameters.y)
        publicJWK = PublicJWK(kid: kid, x: parameters.x, y: parameters.y)
    }

    /// Reads a PEM-encoded P-256 key (PKCS#8 or SEC 1).
    public init(pem: String) throws {
        do {
            try self.init(privateKey: try ES256PrivateKey(pem: pem))
        } catch let error as TokenKeyError {
            throw error
        } catch {
            throw TokenKeyError("not a PEM-encoded P-256 private key")
        }
    }

    public static func generate() throws -> SigningKey {
        try SigningKey(privateKey: ES256PrivateKey())
    }

    public var pemRepresentation: String { privateKey.pemRepresentation }

    private static func thumbprint(x: String, y: String) -> String {
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        return Data(SHA256.hash(data: Data(canonical.utf8))).base64URLEncoded
    }
}

/// One public key of a JWK set (RFC 7517), as served at `/.well-known/jwks.json`.
public struct PublicJWK: Codable, Sendable, Equatable {
    public var kty = "EC"
    public var crv = "P-256"
    public var alg = "ES256"
    public var use = "sig"
    public var kid: String
    public var x: String
    public var y: String

    public init(kid: String, x: String, y: String) {
        self.kid = kid
        self.x = x
        self.y = y
    }
}

public struct JWKSet: Codable, Sendable, Equatable {
    public var keys: [PublicJWK]

    public init(keys: [PublicJWK]) { self.keys = keys }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    public init(json: String) throws {
        do {
            self = try JSONDecoder().decode(JWKSet.self, from: Data(json.utf8))
        } catch {
            throw TokenKeyError("not a JWK set of EC P-256 keys")
        }
    }
}

public struct TokenKeyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
