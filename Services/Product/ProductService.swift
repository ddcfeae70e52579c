import Foundation
import ServiceKit
import ServicePostgres

/// Menu, cafés, stock per café and orders with server-side prices.
public func buildProductService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachPostgres(migrations: .module, eventTables: .init(outbox: true, inbox: true))
    return runtime
}
