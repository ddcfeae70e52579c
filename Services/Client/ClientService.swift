import Foundation
import ServiceKit
import ServiceMongo

/// Ticketing clients: profiles, privacy flags, social links, tickets.
public func buildClientService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachMongo()
    return runtime
}
