import Foundation
import PasswordHashing
import PlatformConfig
import PlatformCore
import ServiceKit
import ServiceStores

/// Users and profiles, with the legacy SOAP endpoint on its HTTP port (8002).
public let userDescriptor = ServiceDescriptor(
    name: "user", environmentPrefix: "USER", defaultHTTPPort: 8002, defaultGRPCPort: 50053, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildUserService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let database = try await runtime.attachPostgres(
        database: "users", migrations: .module, eventTables: .init(outbox: true, inbox: false))
    let relay = try runtime.addOutboxRelay(database)
    let hasher = try await PasswordHasher(config: settings.config)
    let registry = UserRegistry(store: PostgresUserStore(client: database), hasher: hasher, eventsCommitted: relay.wake)
    try await createConfiguredAdmin(registry, runtime: runtime)
    runtime.addRPCService(UserRPCService(registry: registry))
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
