import Foundation
import ServiceKit
import ServiceStores

/// Credentials and roles: verifies passwords, changes them, sets roles.
public let authDescriptor = ServiceDescriptor(
    name: "auth", environmentPrefix: "AUTH", defaultHTTPPort: 9102, defaultGRPCPort: 50052, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildAuthService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachPostgres(
        database: "auth", migrations: .module, eventTables: .init(outbox: false, inbox: true))
    return runtime
}
