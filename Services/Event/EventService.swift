import Foundation
import ServiceKit
import ServiceMariaDB

/// Events, packets and tickets with capacity that is never oversold.
public func buildEventService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachMariaDB(migrations: .module)
    return runtime
}
