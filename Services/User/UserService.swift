import Foundation
import ServiceKit
import ServiceStores

/// Users and profiles, with the legacy SOAP endpoint on its HTTP port (8002).
public let userDescriptor = ServiceDescriptor(
    name: "user", environmentPrefix: "USER", defaultHTTPPort: 8002, defaultGRPCPort: 50053, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildUserService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachPostgres(
        database: "users", migrations: .module, eventTables: .init(outbox: true, inbox: false))
    return runtime
}
