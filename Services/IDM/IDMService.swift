import AccessTokens
import Contracts
import EventKit
import FoundationEssentials
import PlatformConfig
import PlatformCore
import Postgres
import ServiceKit
import ServicePostgres

/// What tests may put in place of idm's real store and peers.
public struct IDMOverrides: Sendable {
    /// Replaces the Postgres store (and with it the outbox relay).
    public var sessions: (any SessionStore)?
    /// Replaces the connection to auth (e.g. an in-process transport).
    public var auth: (any Auth_V1_AuthService.ClientProtocol)?
    /// Replaces the connection to product.
    public var product: (any Product_V1_ProductService.ClientProtocol)?
    public var signingKey: SigningKey?

    public init(
        sessions: (any SessionStore)? = nil, auth: (any Auth_V1_AuthService.ClientProtocol)? = nil,
        product: (any Product_V1_ProductService.ClientProtocol)? = nil, signingKey: SigningKey? = nil
    ) {
        self.sessions = sessions
        self.auth = auth
        self.product = product
        self.signingKey = signingKey
    }
}

/// Sessions and tokens: signs access tokens, rotates refresh tokens, revokes sessions.
/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildIDMService(_ settings: ServiceSettings, overrides: IDMOverrides = .init()) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let config = settings.config
    let store: any SessionStore
    var eventsCommitted: @Sendable () -> Void = {}
    var database: PostgresClient?
    if let sessions = overrides.sessions {
        store = sessions
    } else {
        let client = try await runtime.attachPostgres(
            migrations: ServiceMigrations.files + [PostgresAttemptThrottle.migration(version: 5)], eventTables: .init(outbox: true, inbox: true))
        eventsCommitted = try runtime.addOutboxRelay(PostgresOutboxStore(client: client)).wake
        store = PostgresSessionStore(client: client)
        database = client
    }
    let key = try await signingKey(overrides.signingKey, config: config, database: database, runtime: runtime)
    runtime.logger.info("signing key ready", metadata: ["kid": "\(key.kid)"])
    let issuer = await AccessTokenIssuer(key: key, settings: try TokenSettings(config: config))
    let limits = AttemptLimits(
        perAccount: try config.int("IDM_LOGIN_FAILURES_PER_ACCOUNT", default: 5, in: 1...1000),
        perAddress: try config.int("IDM_LOGIN_FAILURES_PER_ADDRESS", default: 20, in: 1...100_000),
        window: try config.duration("IDM_LOGIN_THROTTLE_WINDOW", default: .seconds(900)),
        concurrentPerAccount: try config.int("IDM_LOGIN_CONCURRENCY_PER_ACCOUNT", default: 2, in: 1...100),
        concurrentPerAddress: try config.int("IDM_LOGIN_CONCURRENCY_PER_ADDRESS", default: 4, in: 1...10_000))
    let throttle: any AttemptThrottling =
        database.map { PostgresAttemptThrottle(client: $0, limits: limits, logger: runtime.logger) } ?? AttemptThrottle(limits: limits)
    let auth = try overrides.auth ?? Auth_V1_AuthService.Client(wrapping: runtime.rpcClient(for: ServiceManifest.auth))
    let product = try overrides.product ?? Product_V1_ProductService.Client(wrapping: runtime.rpcClient(for: ServiceManifest.product))
    let sessions = try await SessionRegistry(
        store: store, credentials: AuthServiceClient(client: auth), locations: ProductServiceClient(client: product), issuer: issuer, throttle: throttle,
        refreshLifetime: try config.duration("REFRESH_TOKEN_TTL", default: .seconds(30 * 24 * 3600)),
        eventsCommitted: eventsCommitted)
    try await runtime.addEventConsumer(try idmEventHandlers(sessions: sessions))
    runtime.addRPCService(IDMRPCService(sessions: sessions))
    return runtime
}

/// `IDM_SIGNING_KEY` when configured, otherwise the key generated once and kept in the database.
private func signingKey(
    _ override: SigningKey?, config: ConfigReader, database: PostgresClient?, runtime: ServiceRuntime
) async throws -> SigningKey {
    if let override { return override }
    if let pem = config.optional("IDM_SIGNING_KEY") {
        guard let configured = try? SigningKey(pem: pem) else {
            throw ConfigError(variable: "IDM_SIGNING_KEY", problem: "must be a PEM-encoded P-256 private key")
        }
        return configured
    }
    guard let database else { return try SigningKey.generate() }
    return try await retryDuringStartup("load the signing key", timeout: runtime.settings.startupTimeout, logger: runtime.logger) {
        try await SigningKeyStore.loadOrCreate(in: database)
    }
}
