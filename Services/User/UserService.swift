import FoundationEssentials
import PasswordHashing
import PlatformConfig
import PlatformCore
import ServiceKit
import ServicePostgres

/// What tests may put in place of the user service's real store.
public struct UserOverrides: Sendable {
    /// Replaces the Postgres store (and with it the outbox relay).
    public var users: (any UserStore)?
    /// Called after a change that wrote events committed (instead of waking the relay).
    public var eventsCommitted: @Sendable () -> Void

    public init(users: (any UserStore)? = nil, eventsCommitted: @escaping @Sendable () -> Void = {}) {
        self.users = users
        self.eventsCommitted = eventsCommitted
    }
}

/// Users and profiles, over gRPC and (for legacy systems) SOAP.
/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildUserService(_ settings: ServiceSettings, overrides: UserOverrides = .init()) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let store: any UserStore
    var eventsCommitted = overrides.eventsCommitted
    if let users = overrides.users {
        store = users
    } else {
        let database = try await runtime.attachPostgres(migrations: ServiceMigrations.files, eventTables: .init(outbox: true, inbox: false))
        eventsCommitted = try runtime.addOutboxRelay(PostgresOutboxStore(client: database)).wake
        store = PostgresUserStore(client: database)
    }
    let hasher = try await PasswordHasher(config: settings.config)
    let registry = UserRegistry(store: store, hasher: hasher, eventsCommitted: eventsCommitted)
    try await createConfiguredAdmin(registry, runtime: runtime)
    runtime.addRPCService(UserRPCService(registry: registry))
    let soap = UserSOAPEndpoint(
        registry: registry,
        fallbackLocation: "http://\(settings.bindHost):\(settings.httpPort)/\(UserSOAPContract.path)")
    runtime.addRoutes { soap.add(to: $0) }
    return runtime
}

/// The first admin comes from `ADMIN_EMAIL` and `ADMIN_PASSWORD` (never a default in code); an
/// existing user with that email is left as it is.
private func createConfiguredAdmin(_ registry: UserRegistry, runtime: ServiceRuntime) async throws {
    let config = runtime.settings.config
    guard let email = config.optional("ADMIN_EMAIL") else { return }
    guard EmailAddress.isValid(EmailAddress.normalized(email)) else {
        throw ConfigError(variable: "ADMIN_EMAIL", problem: "is not a valid email address")
    }
    guard let password = config.optional("ADMIN_PASSWORD") else {
        throw ConfigError(variable: "ADMIN_PASSWORD", problem: "is required when ADMIN_EMAIL is set")
    }
    if let problem = PasswordPolicy.problem(with: password) {
        throw ConfigError(variable: "ADMIN_PASSWORD", problem: problem)
    }
    let created = try await retryDuringStartup(
        "create the configured admin", timeout: runtime.settings.startupTimeout, logger: runtime.logger
    ) {
        try await registry.ensureAdmin(email: email, password: password)
    }
    runtime.logger.info(created ? "created the configured admin" : "the configured admin exists")
}
