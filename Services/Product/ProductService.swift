import Foundation
import ServiceKit
import ServiceStores

/// Menu, locations, stock per location and orders with server-side prices.
public let productDescriptor = ServiceDescriptor(
    name: "product", environmentPrefix: "PRODUCT", defaultHTTPPort: 9105, defaultGRPCPort: 50055, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildProductService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachPostgres(
        database: "products", migrations: .module, eventTables: .init(outbox: true, inbox: true))
    return runtime
}
