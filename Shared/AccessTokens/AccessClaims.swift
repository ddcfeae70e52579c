import FoundationEssentials
import JWTKit

/// The claims of an access token.
public struct AccessClaims: JWTPayload, Equatable {
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    /// The user id.
    public var sub: SubjectClaim
    /// The session id: revoking the session revokes every token that names it.
    public var sid: String
    public var jti: IDClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim
    public var email: String
    public var roles: [String]
    /// Only for café terminal tokens.
    public var locationID: String?

    enum CodingKeys: String, CodingKey {
        case iss, aud, sub, sid, jti, iat, exp, email, roles
        case locationID = "location_id"
    }

    public init(
        issuer: String, audience: String, userID: String, sessionID: String, tokenID: String = UUID().uuidString,
        issuedAt: Date, expiresAt: Date, email: String, roles: [String], locationID: String? = nil
    ) {
        iss = IssuerClaim(value: issuer)
        aud = AudienceClaim(value: [audience])
        sub = SubjectClaim(value: userID)
        sid = sessionID
        jti = IDClaim(value: tokenID)
        // JWT times are whole seconds.
        iat = IssuedAtClaim(value: Date(timeIntervalSince1970: issuedAt.timeIntervalSince1970.rounded(.down)))
        exp = ExpirationClaim(value: Date(timeIntervalSince1970: expiresAt.timeIntervalSince1970.rounded(.down)))
        self.email = email
        self.roles = roles
        self.locationID = locationID
    }

    public var userID: String { sub.value }
    public var sessionID: String { sid }
    public var expiresAt: Date { exp.value }

    /// Expiry is checked by `AccessTokenVerifier` against its own clock; issuer and audience too.
    public func verify(using algorithm: some JWTAlgorithm) throws {}
}
