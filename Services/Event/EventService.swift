import Foundation
import ServiceKit
import ServiceStores

/// Events, packets and tickets with capacity that is never oversold.
public let eventDescriptor = ServiceDescriptor(
    name: "event", environmentPrefix: "EVENT", defaultHTTPPort: 8001, defaultGRPCPort: 50059, usesBroker: false)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildEventService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachMariaDB(
        defaultURL: "mariadb://events@127.0.0.1:3306/events",
        migrations: Bundle.module.url(forResource: "Migrations", withExtension: nil),
        eventTables: .none)
    return runtime
}
