import Foundation
import ServiceKit
import ServicePostgres

/// Charges orders through a simulated provider, idempotently per order.
public func buildPaymentService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachPostgres(migrations: .module, eventTables: .init(outbox: true, inbox: true))
    return runtime
}
