import FoundationEssentials
import PasswordHashing
import PlatformConfig
import PlatformCore
import ServiceKit
import ServicePostgres

/// Menu, cafés, stock per café and orders with server-side prices.
/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildProductService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let config = settings.config
    let database = try await runtime.attachPostgres(migrations: ServiceMigrations.files, eventTables: .init(outbox: true, inbox: true))
    let eventsCommitted = try runtime.addOutboxRelay(PostgresOutboxStore(client: database)).wake
    let catalog = PostgresCatalogStore(client: database)
    let currency = try config.string("PLATFORM_CURRENCY", default: "EUR")
    guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
        throw ConfigError(variable: "PLATFORM_CURRENCY", problem: "must be an ISO 4217 code such as EUR")
    }
    let paymentTimeout = try config.duration("ORDER_PAYMENT_TIMEOUT", default: .seconds(300))
    let menu = MenuRegistry(store: catalog, currency: currency)
    let locations = LocationRegistry(
        store: catalog, hasher: try await PasswordHasher(config: config), eventsCommitted: eventsCommitted)
    let stock = StockRegistry(
        store: PostgresStockStore(client: database), locations: catalog,
        lowStockThreshold: Int64(try config.int("PRODUCT_LOW_STOCK_THRESHOLD", default: 20, in: 0...1_000_000)))
    let orders = OrderRegistry(
        store: PostgresOrderStore(client: database), locations: catalog, paymentTimeout: paymentTimeout,
        eventsCommitted: eventsCommitted)
    // Unpaid orders past the timeout are cancelled (their stock comes back, order.cancelled goes
    // out); safe with replicas: each order changes under its row lock, only while still pending.
    runtime.addBackgroundService(
        PeriodicJob("cancelled unpaid orders", every: sweepInterval(for: paymentTimeout), logger: runtime.logger) {
            try await orders.cancelExpired()
        })
    try await runtime.addEventConsumer(try productEventHandlers(orders: orders))
    runtime.addRPCService(ProductRPCService(menu: menu, locations: locations, stock: stock, orders: orders))
    return runtime
}

/// A tenth of the timeout, between 1 and 30 seconds: an unpaid order is cancelled at most that
/// long after its time is up.
func sweepInterval(for timeout: Duration) -> Duration {
    min(max(timeout / 10, .seconds(1)), .seconds(30))
}
