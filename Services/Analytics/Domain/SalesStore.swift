import EventKit
import FoundationEssentials

/// The sales facts and their rollups. Recording and refunding are idempotent by order (and, with
/// a `cause`, by event through the inbox in the same transaction), and commutative: a refund that
/// comes before its sale keeps the sale from ever counting.
public protocol SalesStore: Sendable {
    /// Counts the sale unless it was counted or refunded before. False when it changed nothing.
    @discardableResult
    func record(_ sale: Sale, cause: ReceivedEvent?) async throws -> Bool
    /// Takes the order's sale back out of the figures (once); remembered if the sale comes later.
    func refund(order: UUID, at: Date, cause: ReceivedEvent?) async throws
    /// Forgets every fact (not the inbox): the start of a rebuild.
    func reset() async throws

    /// Per café with sales in `days`, with its latest name.
    func locationSales(_ days: ClosedRange<Day>) async throws -> [LocationSales]
    /// Per day and café, days without sales left out.
    func dailySales(_ days: ClosedRange<Day>) async throws -> [DailySales]
    /// Per café and product (keyed by café).
    func productQuantities(_ days: ClosedRange<Day>) async throws -> [UUID: [ProductQuantity]]
    /// Per product over every café in `month`, most sold first, at most `limit`.
    func topProducts(in month: Month, limit: Int) async throws -> [ProductQuantity]
    /// Per category, share left at 0 (the caller computes it).
    func categorySales(_ days: ClosedRange<Day>) async throws -> [CategorySales]
    /// Per month and café, every month with sales.
    func monthlySales() async throws -> [MonthlySales]
    /// The latest name of each café that ever sold.
    func locationNames() async throws -> [UUID: String]
}
