import Foundation
import PasswordHashing
import ServiceKit
import ServiceStores

/// Credentials and roles: verifies passwords for idm; fed by user events.
public let authDescriptor = ServiceDescriptor(
    name: "auth", environmentPrefix: "AUTH", defaultHTTPPort: 9102, defaultGRPCPort: 50052, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildAuthService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let database = try await runtime.attachPostgres(
        database: "auth", migrations: .module, eventTables: .init(outbox: false, inbox: true))
    let hasher = try await PasswordHasher(config: settings.config)
    let credentials = CredentialService(store: PostgresCredentialStore(client: database), hasher: hasher)
    try await runtime.addEventConsumer(bindingKeys: ["user.registered", "user.updated", "user.deactivated"]) { event in
        try await credentials.handle(event)
    }
    runtime.addRPCService(AuthRPCService(credentials: credentials))
    return runtime
}
