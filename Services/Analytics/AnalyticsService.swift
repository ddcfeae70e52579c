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
        defaultURL: "mariadb://analytics@127.0.0.1:3306/analytics",
        migrations: Bundle.module.url(forResource: "Migrations", withExtension: nil),
        eventTables: .init(outbox: false, inbox: true))
    return runtime
}
