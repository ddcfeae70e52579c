import Foundation
import ServiceKit
import ServiceStores

/// Charges orders through a simulated provider, idempotently per order.
public let paymentDescriptor = ServiceDescriptor(
    name: "payment", environmentPrefix: "PAYMENT", defaultHTTPPort: 9106, defaultGRPCPort: 50056, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildPaymentService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachPostgres(
        database: "payments", migrations: .module, eventTables: .init(outbox: true, inbox: true))
    return runtime
}
