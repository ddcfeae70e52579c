import Foundation
import ServiceKit
import ServiceStores

/// Ticketing clients: profiles, privacy flags, social links, tickets.
public let clientDescriptor = ServiceDescriptor(
    name: "client", environmentPrefix: "CLIENT", defaultHTTPPort: 8000, defaultGRPCPort: 50058, usesBroker: false)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildClientService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachMongo(database: "clients")
    return runtime
}
