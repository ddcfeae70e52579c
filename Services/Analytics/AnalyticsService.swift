import Contracts
import FoundationEssentials
import ServiceKit
import ServiceMariaDB

/// What tests may put in place of analytics' peers.
public struct AnalyticsOverrides: Sendable {
    /// Replaces the connection to product (e.g. an in-process transport).
    public var product: (any Product_V1_ProductService.ClientProtocol)?

    public init(product: (any Product_V1_ProductService.ClientProtocol)? = nil) { self.product = product }
}

/// Sales facts and the dashboard, fed by order events; rebuilt from product's history on request.
/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildAnalyticsService(_ settings: ServiceSettings, overrides: AnalyticsOverrides = .init()) async throws
    -> ServiceRuntime
{
    var runtime = try ServiceRuntime(settings: settings)
    let database = try await runtime.attachMariaDB(migrations: ServiceMigrations.files, eventTables: .init(outbox: false, inbox: true))
    let store = MariaDBSalesStore(client: database)
    let product = try overrides.product ?? Product_V1_ProductService.Client(wrapping: runtime.rpcClient(for: ServiceManifest.product))
    let rebuild = SalesRebuild(store: store, history: ProductSalesHistory(client: product), logger: runtime.logger)
    runtime.addBackgroundService(rebuild)
    try await runtime.addEventConsumer(try analyticsEventHandlers(store: store))
    runtime.addRPCService(AnalyticsRPCService(dashboard: Dashboard(store: store), rebuild: rebuild))
    return runtime
}
