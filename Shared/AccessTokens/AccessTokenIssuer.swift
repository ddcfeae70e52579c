import FoundationEssentials
import JWTKit

/// Signs access tokens with idm's key. Claims come only from idm's own records, never from a caller.
public struct AccessTokenIssuer: Sendable {
    public let settings: TokenSettings
    public let key: SigningKey
    private let keys: JWTKeyCollection

    public init(key: SigningKey, settings: TokenSettings) async {
        self.key = key
        self.settings = settings
        keys = JWTKeyCollection()
        await keys.add(ecdsa: key.privateKey, kid: JWKIdentifier(string: key.kid))
    }

    public func issue(
        userID: String, email: String, roles: [String], sessionID: String, locationID: String? = nil, now: Date = Date()
    ) async throws -> (token: String, claims: AccessClaims) {
        let claims = AccessClaims(
            issuer: settings.issuer, audience: settings.audience, userID: userID, sessionID: sessionID, issuedAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(settings.lifetimeSeconds)), email: email, roles: roles,
            locationID: locationID)
        let token = try await keys.sign(claims, kid: JWKIdentifier(string: key.kid), header: ["typ": "JWT"])
        return (token, claims)
    }

    public var jwks: JWKSet { JWKSet(keys: [key.publicJWK]) }
}
