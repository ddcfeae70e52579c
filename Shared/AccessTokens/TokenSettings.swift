import FoundationEssentials
import PlatformConfig

/// Who issues access tokens, for whom, and for how long.
public struct TokenSettings: Sendable, Equatable {
    public var issuer: String
    public var audience: String
    public var accessTokenLifetime: Duration

    public init(issuer: String = "platform-idm", audience: String = "platform", accessTokenLifetime: Duration = .seconds(900)) {
        self.issuer = issuer
        self.audience = audience
        self.accessTokenLifetime = accessTokenLifetime
    }

    public var lifetimeSeconds: Int64 { accessTokenLifetime.components.seconds }

    /// The clock difference tolerated between the issuer and a verifier (expiry, issue time).
    public static let clockLeeway: TimeInterval = 5

    /// How long after a session's revocation its tokens may still pass the signature and expiry
    /// checks: the last one issued before the revocation expires at most one lifetime later and is
    /// accepted for the leeway beyond that. A revocation is kept at least this long (doubling the
    /// leeway covers the revoker's and the verifier's clocks differing too).
    public var revocationLifetime: TimeInterval { TimeInterval(lifetimeSeconds) + 2 * Self.clockLeeway }
}


extension TokenSettings {
    /// `JWT_ISSUER`, `JWT_AUDIENCE` and `ACCESS_TOKEN_TTL`, read alike by idm (which signs) and the gateway (which checks).
    public init(config: ConfigReader) throws {
        self.init(
            issuer: try config.string("JWT_ISSUER", default: "platform-idm"),
            audience: try config.string("JWT_AUDIENCE", default: "platform"),
            accessTokenLifetime: try config.duration("ACCESS_TOKEN_TTL", default: .seconds(900)))
        guard accessTokenLifetime >= .seconds(10) && accessTokenLifetime <= .seconds(24 * 3600) else {
            throw ConfigError(variable: "ACCESS_TOKEN_TTL", problem: "must be between 10 seconds and 24 hours")
        }
    }
}
