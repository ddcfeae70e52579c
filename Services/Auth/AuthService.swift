import EventKit
import FoundationEssentials
import PasswordHashing
import PlatformCore
import ServiceKit
import ServicePostgres

/// What tests may put in place of auth's real store.
public struct AuthOverrides: Sendable {
    public var credentials: (any CredentialStore)?

    public init(credentials: (any CredentialStore)? = nil) { self.credentials = credentials }
}

/// Credentials and roles: verifies passwords for idm; fed by user events.
/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildAuthService(_ settings: ServiceSettings, overrides: AuthOverrides = .init()) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let config = settings.config
    let limits = AttemptLimits(
        perAccount: try config.int("AUTH_PASSWORD_FAILURES_PER_ACCOUNT", default: 5, in: 1...1000),
        window: try config.duration("AUTH_PASSWORD_THROTTLE_WINDOW", default: .seconds(900)), concurrentPerAccount: 1)
    let store: any CredentialStore
    let passwordChecks: any AttemptThrottling
    if let credentials = overrides.credentials {
        store = credentials
        passwordChecks = AttemptThrottle(limits: limits)
    } else {
        let database = try await runtime.attachPostgres(
            migrations: ServiceMigrations.files + [PostgresAttemptThrottle.migration(version: 4)], eventTables: .init(outbox: false, inbox: true))
        store = PostgresCredentialStore(client: database)
        passwordChecks = PostgresAttemptThrottle(client: database, limits: limits, logger: runtime.logger)
    }
    let credentials = CredentialRegistry(
        store: store, hasher: try await PasswordHasher(config: config), passwordChecks: passwordChecks)
    try await runtime.addEventConsumer(try authEventHandlers(credentials: credentials))
    runtime.addRPCService(AuthRPCService(credentials: credentials))
    return runtime
}
