import DatabaseKit
import EventKit
import Foundation
import PasswordHashing
import PlatformCore
import Postgres
import ProductService
import TestSupport

/// Product's registries on a fresh schema of the live Postgres server, with a clock the test
/// moves, and helpers that set up a café, its menu and its stock.
struct Commerce: Sendable {
    let client: PostgresClient
    let clock: TestClock
    let catalog: PostgresCatalogStore
    let menu: MenuRegistry
    let locations: LocationRegistry
    let stock: StockRegistry
    let orders: OrderRegistry
    /// What product consumes, as its consumer dispatches it.
    let events: EventHandlers
    static let paymentTimeout: Duration = .seconds(300)

    static let staff = Requester(userID: UUID(), roles: ["staff"], locationID: nil)
    static let admin = Requester(userID: UUID(), roles: ["admin"], locationID: nil)

    static func run<T>(maxConnections: Int = 8, _ body: (Commerce) async throws -> T) async throws -> T {
        let migrations = try ServiceSchemas.migrations(of: "Product", eventTables: .init(outbox: true, inbox: true))
        return try await TestPostgres.withSchema(migrations: migrations, maxConnections: maxConnections) { client in
            // Whole seconds, so times survive Postgres' microseconds exactly.
            let clock = TestClock(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
            let catalog = PostgresCatalogStore(client: client)
            let now: @Sendable () -> Date = { clock.now }
            let orders = OrderRegistry(
                store: PostgresOrderStore(client: client), locations: catalog, paymentTimeout: paymentTimeout, now: now)
            let commerce = Commerce(
                client: client, clock: clock, catalog: catalog, menu: MenuRegistry(store: catalog, currency: "EUR", now: now),
                locations: LocationRegistry(store: catalog, hasher: try await PasswordHasher(cost: 4, threads: 2), now: now),
                stock: StockRegistry(store: PostgresStockStore(client: client), locations: catalog, lowStockThreshold: 20, now: now),
                orders: orders, events: try productEventHandlers(orders: orders))
            return try await body(commerce)
        }
    }

    /// A customer of the shop.
    static func customer() -> Requester { Requester(userID: UUID(), roles: ["customer"], locationID: nil) }

    /// A terminal of `café`.
    static func terminal(of café: Location) -> Requester { Requester(userID: nil, roles: ["terminal"], locationID: café.id) }

    func café(_ name: String = "Café \(UUID().uuidString.prefix(6))", code: String = "café code 1") async throws -> Location {
        try await locations.create(name: name, address: "1 Main Street", accessCode: code)
    }

    func product(_ name: String = "Latte \(UUID().uuidString.prefix(6))", category: String = "coffee", price: Int64 = 350)
        async throws -> Product
    {
        try await menu.create(name: name, category: category, description: "with milk", priceCents: price)
    }

    /// A café with one product stocked `quantity` times.
    func stocked(_ quantity: Int64, price: Int64 = 350) async throws -> (café: Location, product: Product) {
        let café = try await café()
        let product = try await product(price: price)
        _ = try await stock.restock(at: café.id.lowercasedString, [(product.id.lowercasedString, quantity)], by: Self.staff)
        return (café, product)
    }

    func quantity(of product: Product, at café: Location) async throws -> Int64 {
        try await stock.stock(at: café.id.lowercasedString, lowOnly: false, by: Self.staff).first { $0.productID == product.id }?
            .quantity ?? -1
    }

    /// One order of `items` (product, quantity) at `café`.
    func order(
        _ items: [(Product, Int64)], at café: Location, by requester: Requester = Commerce.customer(), token: String? = nil,
        key: String? = nil
    ) async throws -> Order {
        try await orders.create(
            locationID: café.id.lowercasedString, items: items.map { ($0.0.id.lowercasedString, $0.1) }, paymentToken: token,
            idempotencyKey: key, by: requester
        ).order
    }

    /// The events in the outbox of `type`, oldest first, as JSON objects.
    func outbox(_ type: String) async throws -> [[String: Any]] {
        try await client.query("SELECT payload FROM outbox WHERE event_type = $1 ORDER BY created_at, id", [.string(type)])
            .map { try Fixtures.jsonObject(try $0.required("payload", $0.string)) }
    }

    func deliver(_ event: ReceivedEvent) async throws { try await events.handle(event) }

    func status(of order: Order) async throws -> OrderStatus {
        try await orders.order(order.id.lowercasedString, by: Self.staff).status
    }

    /// A payment service answer as the consumer hands it over.
    static func succeeded(_ order: Order, id: UUID = UUID()) throws -> ReceivedEvent {
        try Fixtures.received(
            EventCatalog.paymentSucceeded,
            .with {
                $0.paymentID = UUID().uuidString.lowercased()
                $0.orderID = order.id.lowercasedString
                $0.amountCents = order.totalCents
                $0.currency = order.currency
                $0.reference = "ch_test"
            },
            id: id)
    }

    static func failed(_ order: Order, reason: String = "card_declined") throws -> ReceivedEvent {
        try Fixtures.received(
            EventCatalog.paymentFailed,
            .with {
                $0.orderID = order.id.lowercasedString
                $0.reason = reason
            })
    }

    static func refunded(_ order: Order) throws -> ReceivedEvent {
        try Fixtures.received(
            EventCatalog.paymentRefunded,
            .with {
                $0.paymentID = UUID().uuidString.lowercased()
                $0.orderID = order.id.lowercasedString
                $0.amountCents = order.totalCents
                $0.currency = order.currency
            })
    }
}
