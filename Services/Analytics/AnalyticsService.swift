import Foundation
import ServiceKit
import ServiceMariaDB

/// Sales facts and dashboards fed by order events.
public func buildAnalyticsService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachMariaDB(migrations: .module, eventTables: .init(outbox: false, inbox: true))
    return runtime
}
