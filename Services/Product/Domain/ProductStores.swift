import EventKit
import FoundationEssentials
import PlatformCore

/// The menu and the cafés.
public protocol CatalogStore: Sendable {
    func products(_ query: ProductQuery) async throws -> Page<Product>
    func product(id: UUID) async throws -> Product?
    /// Categories of active products, with how many each has.
    func categories() async throws -> [CategoryCount]
    /// `AppError.alreadyExists` when an active product has the name.
    func insert(_ product: Product) async throws
    /// Applies the set fields under the row lock; nil when there is no such product.
    func update(id: UUID, _ change: ProductChange, at: Date) async throws -> Product?

    func locations() async throws -> [Location]
    func location(id: UUID) async throws -> Location?
    func insert(_ location: Location, accessCodeHash: String) async throws
    /// Applies the set fields (a new code as its hash) under the row lock and, in the same
    /// transaction, the event `accessChanged` builds when the code changed or the café was
    /// deactivated. Nil when there is no such café.
    func update(
        id: UUID, _ change: LocationChange, accessCodeHash: String?, at: Date,
        accessChanged: @escaping @Sendable (Location) throws -> DomainEvent
    ) async throws -> Location?
    /// The café and its access code's hash.
    func accessCodeHash(of location: UUID) async throws -> (location: Location, hash: String)?
}

/// Stock per café and its movements; every change of a quantity records a movement in the same
/// transaction, and no quantity ever goes below zero.
public protocol StockStore: Sendable {
    /// Every active product at the café, quantity 0 where never stocked.
    func stock(at location: UUID) async throws -> [StockLine]
    /// All lines or none. `AppError.invalidArgument` naming `items.N.product_id` for an unknown
    /// or inactive product.
    func restock(at location: UUID, _ lines: [(productID: UUID, quantity: Int64)], at: Date) async throws -> [StockLine]
    /// `AppError.failedPrecondition` when the quantity would go below zero, `notFound` for an
    /// unknown or inactive product.
    func adjust(at location: UUID, product: UUID, delta: Int64, reason: AdjustmentReason, at: Date) async throws -> StockLine
    /// Newest first.
    func movements(at location: UUID, product: UUID, paging: PageRequest) async throws -> Page<StockMovement>
}

/// What a change of an order's state does besides the order itself, in the same transaction.
public struct OrderEffects: Sendable {
    /// The order's stock goes back to its café (`release` movements).
    public var releaseStock = false
    public var events: [DomainEvent] = []

    public init(releaseStock: Bool = false, events: [DomainEvent] = []) {
        self.releaseStock = releaseStock
        self.events = events
    }
}

/// Where a walk through the paid orders is: the last one it read.
public struct PaidOrderCursor: Sendable, Equatable {
    public var paidAt: Date
    public var orderID: UUID

    public init(after order: Order) {
        paidAt = order.paidAt ?? order.createdAt
        orderID = order.id
    }
}

/// Orders, their lines and payments.
public protocol OrderStore: Sendable {
    /// In one transaction: the stock of every line is reserved (`sale` movements; never below
    /// zero), the order written `pending_payment` with the menu's current prices, and the events
    /// `created(order)` builds go into the outbox. With an idempotency key the same key from the
    /// same caller returns the order it created first (`replayed`) and takes nothing.
    /// Throws `failedPrecondition` with each short product's remaining quantity as details,
    /// `invalidArgument` naming `items.N.product_id` for an unknown or inactive product.
    func create(
        _ request: OrderRequest, id: UUID, userID: UUID?, caller: String, at: Date,
        created: @escaping @Sendable (Order) throws -> [DomainEvent]
    ) async throws -> (order: Order, replayed: Bool)
    func order(id: UUID) async throws -> Order?
    /// Newest first.
    func orders(_ query: OrderQuery) async throws -> Page<Order>
    /// Changes an order under its row lock: `change` sees the current order, may change its
    /// status and payment, and returns the effects to apply with it. With `handledEvent` the
    /// event is recorded in the inbox in the same transaction and a redelivery changes nothing.
    /// Nil when there is no such order.
    func transition(
        id: UUID, at: Date, handledEvent: ReceivedEvent?,
        _ change: @escaping @Sendable (inout Order) throws -> OrderEffects
    ) async throws -> Order?
    /// Orders `pending_payment` since before `cutoff`, oldest first.
    func pendingSince(before cutoff: Date, limit: Int) async throws -> [UUID]
    /// Orders that were paid (refunded ones too), in the order of their payment, after `cursor`.
    func paidOrders(after cursor: PaidOrderCursor?, limit: Int) async throws -> [Order]
}
