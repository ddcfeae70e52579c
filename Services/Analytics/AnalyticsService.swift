import Foundation
import ServiceKit
import ServiceStores

/// Sales facts and dashboards fed by order and payment events.
public let analyticsDescriptor = ServiceDescriptor(
    name: "analytics", environmentPrefix: "ANALYTICS", defaultHTTPPort: 9107, defaultGRPCPort: 50057, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildAnalyticsService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachMariaDB(
        database: "analytics", migrations: .module, eventTables: .init(outbox: false, inbox: true))
    return runtime
}
