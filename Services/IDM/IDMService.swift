import AccessTokens
import Contracts
import Foundation
import PlatformConfig
import ServiceKit
import ServiceStores

/// Sessions and tokens: signs access tokens, rotates refresh tokens, revokes sessions.
public let idmDescriptor = ServiceDescriptor(
    name: "idm", environmentPrefix: "IDM", defaultHTTPPort: 9101, defaultGRPCPort: 50051, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildIDMService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let config = settings.config
    let database = try await runtime.attachPostgres(
        database: "idm", migrations: .module, eventTables: .init(outbox: true, inbox: true))
    let relay = try runtime.addOutboxRelay(database)
    let key: SigningKey
    if let pem = config.optional("IDM_SIGNING_KEY") {
        guard let configured = try? SigningKey(pem: pem) else {
            throw ConfigError(variable: "IDM_SIGNING_KEY", problem: "must be a PEM-encoded P-256 private key")
        }
        key = configured
    } else {
        key = try await retryDuringStartup("load the signing key", timeout: settings.startupTimeout, logger: runtime.logger) {
            try await SigningKeyStore.loadOrCreate(in: database)
        }
    }
    runtime.logger.info("signing key ready", metadata: ["kid": "\(key.kid)"])
    let issuer = await AccessTokenIssuer(key: key, settings: try TokenSettings(config: config))
    let throttle = LoginThrottle(
        limits: .init(
            perAccount: try config.int("IDM_LOGIN_FAILURES_PER_ACCOUNT", default: 5, in: 1...1000),
            perAddress: try config.int("IDM_LOGIN_FAILURES_PER_ADDRESS", default: 20, in: 1...100_000),
            window: try config.duration("IDM_LOGIN_THROTTLE_WINDOW", default: .seconds(900))))
    let auth = AuthServiceClient(client: .init(wrapping: try runtime.rpcClient(forPeer: "AUTH", defaultPort: 50052)))
    let sessions = try await SessionManager(
        store: PostgresSessionStore(client: database), credentials: auth, issuer: issuer, throttle: throttle,
        refreshLifetime: try config.duration("REFRESH_TOKEN_TTL", default: .seconds(30 * 24 * 3600)),
        eventsCommitted: relay.wake)
    try await runtime.addEventConsumer(bindingKeys: ["user.deactivated"]) { event in try await sessions.handle(event) }
    runtime.addRPCService(IDMRPCService(sessions: sessions))
    return runtime
}
