import FoundationEssentials
import ServiceKit
import ServicePostgres

/// Charges orders through a simulated provider, once per order, and refunds them on request.
/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildPaymentService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let database = try await runtime.attachPostgres(migrations: ServiceMigrations.files, eventTables: .init(outbox: true, inbox: true))
    let eventsCommitted = try runtime.addOutboxRelay(PostgresOutboxStore(client: database)).wake
    let latency = try settings.config.int("PAYMENT_PROVIDER_LATENCY_MS", default: 0, in: 0...60_000)
    let payments = PaymentRegistry(
        store: PostgresPaymentStore(client: database), provider: SimulatedPaymentProvider(latency: .milliseconds(latency)),
        eventsCommitted: eventsCommitted)
    try await runtime.addEventConsumer(try paymentEventHandlers(payments: payments))
    runtime.addRPCService(PaymentRPCService(payments: payments))
    return runtime
}
