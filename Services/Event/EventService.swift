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
        database: "events", migrations: .module, eventTables: .none)
    return runtime
}
