import FoundationEssentials
import PlatformCore

/// Stock per café: read and restocked by staff, admins and the café's own terminals, adjusted by
/// hand (waste, counting) by staff and admins.
public struct StockRegistry: Sendable {
    public static let restockQuantities: ClosedRange<Int64> = 1...10_000
    public static let maximumLines = 50
    public static let adjustments: ClosedRange<Int64> = -10_000...10_000

    private let store: any StockStore
    private let locations: any CatalogStore
    /// A quantity below this is low stock.
    public let lowStockThreshold: Int64
    private let now: @Sendable () -> Date

    public init(
        store: any StockStore, locations: any CatalogStore, lowStockThreshold: Int64,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.locations = locations
        self.lowStockThreshold = lowStockThreshold
        self.now = now
    }

    public func stock(at location: String, lowOnly: Bool, by requester: Requester) async throws -> [StockLine] {
        let id = try await existing(location, by: requester)
        let lines = try await store.stock(at: id)
        return lowOnly ? lines.filter { $0.quantity < lowStockThreshold } : lines
    }

    public func restock(at location: String, _ lines: [(productID: String, quantity: Int64)], by requester: Requester)
        async throws -> [StockLine]
    {
        var problems: [String: String] = [:]
        if !(1...Self.maximumLines).contains(lines.count) {
            problems["items"] = "must have 1 to \(Self.maximumLines) lines"
        }
        var checked: [(productID: UUID, quantity: Int64)] = []
        for (index, line) in lines.enumerated() {
            let product = UUID(uuidString: line.productID)
            if product == nil { problems["items.\(index).product_id"] = "is not a product id" }
            if !Self.restockQuantities.contains(line.quantity) {
                problems["items.\(index).quantity"] =
                    "must be between \(Self.restockQuantities.lowerBound) and \(Self.restockQuantities.upperBound)"
            }
            if let product { checked.append((product, line.quantity)) }
        }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the restock is not valid", details: problems) }
        let id = try await existing(location, by: requester)
        return try await store.restock(at: id, checked, at: now())
    }

    public func adjust(at location: String, product: String, delta: Int64, reason: String, by requester: Requester)
        async throws -> StockLine
    {
        var problems: [String: String] = [:]
        if delta == 0 || !Self.adjustments.contains(delta) {
            problems["delta"] = "must be a non-zero integer between \(Self.adjustments.lowerBound) and \(Self.adjustments.upperBound)"
        }
        let reason = AdjustmentReason(rawValue: reason)
        if reason == nil { problems["reason"] = "must be one of \(AdjustmentReason.allCases.map(\.rawValue).joined(separator: ", "))" }
        let productID = UUID(uuidString: product)
        if productID == nil { problems["product_id"] = "is not a product id" }
        guard problems.isEmpty, let reason, let productID else {
            throw AppError(.invalidArgument, "the adjustment is not valid", details: problems)
        }
        let id = try await existing(location, by: requester)
        return try await store.adjust(at: id, product: productID, delta: delta, reason: reason, at: now())
    }

    public func movements(at location: String, product: String, paging: PageRequest, by requester: Requester)
        async throws -> Page<StockMovement>
    {
        let id = try await existing(location, by: requester)
        guard let productID = UUID(uuidString: product) else { throw AppError(.notFound, "no such product") }
        return try await store.movements(at: id, product: productID, paging: paging)
    }

    /// The café, if the requester may act on it (403 first: a terminal learns nothing of others).
    private func existing(_ location: String, by requester: Requester) async throws -> UUID {
        guard let id = UUID(uuidString: location) else { throw LocationRegistry.notFound }
        try requester.requireAccess(to: id)
        guard try await locations.location(id: id) != nil else { throw LocationRegistry.notFound }
        return id
    }
}
