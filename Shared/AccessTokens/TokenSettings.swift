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
}
