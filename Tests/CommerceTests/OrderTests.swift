import DatabaseKit
import Foundation
import PlatformCore
import ProductService
import TestSupport
import Testing

/// Orders against the live Postgres server: stock is reserved with the order in one
/// transaction and never oversold, whatever runs concurrently; prices are the menu's.
@Suite("Orders", .needs(.postgres))
struct OrderTests {
    /// The outcome of one order attempt.
    enum Attempt: Sendable {
        case created(Order)
        case refused(AppError)
    }

    static func attempt(_ body: @Sendable () async throws -> Order) async throws -> Attempt {
        do {
            return .created(try await body())
        } catch let error as AppError {
            return .refused(error)
        }
    }

    @Test func concurrentOrdersNeverSellMoreThanTheStock() async throws {
        try await Commerce.run(maxConnections: 16) { commerce in
            let (café, product) = try await commerce.stocked(50)
            let attempts = try await withThrowingTaskGroup(of: Attempt.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await Self.attempt { try await commerce.order([(product, 1)], at: café) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = attempts.compactMap { if case .created(let order) = $0 { order } else { nil } }
            let refused = attempts.compactMap { if case .refused(let error) = $0 { error } else { nil } }
            #expect(created.count == 50)
            #expect(refused.count == 50)
            #expect(refused.allSatisfy { $0.code == .failedPrecondition && $0.details[product.id.lowercasedString] == "only 0 left" })
            #expect(try await commerce.quantity(of: product, at: café) == 0)
            // Every step of the history: 50 sales of one, none below zero.
            let history = try await commerce.client.query(
                "SELECT kind, delta, quantity_after FROM stock_movements WHERE product_id = $1 ORDER BY id", [.uuid(product.id)])
            #expect(history.count == 51)
            #expect(try history.dropFirst().map { try $0.required("quantity_after", $0.int) } == Array((0..<50).reversed()))
            #expect(try await commerce.outbox("order.created").count == 50)
        }
    }

    @Test func ordersOfSeveralLinesInEitherOrderDoNotDeadlock() async throws {
        try await Commerce.run(maxConnections: 16) { commerce in
            let (café, first) = try await commerce.stocked(100)
            let second = try await commerce.product()
            _ = try await commerce.stock.restock(at: café.id.lowercasedString, [(second.id.lowercasedString, 100)], by: Commerce.staff)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    let pair = index.isMultiple(of: 2) ? [first, second] : [second, first]
                    let lines = pair.map { ($0, Int64(1)) }
                    group.addTask { _ = try await commerce.order(lines, at: café) }
                }
                try await group.waitForAll()
            }
            #expect(try await commerce.quantity(of: first, at: café) == 60)
            #expect(try await commerce.quantity(of: second, at: café) == 60)
        }
    }

    @Test func aShortLineRefusesTheWholeOrderAndNamesWhatIsLeft() async throws {
        try await Commerce.run { commerce in
            let (café, plenty) = try await commerce.stocked(10)
            let scarce = try await commerce.product()
            _ = try await commerce.stock.restock(at: café.id.lowercasedString, [(scarce.id.lowercasedString, 2)], by: Commerce.staff)
            let error = await Fixtures.appError { _ = try await commerce.order([(plenty, 3), (scarce, 5)], at: café) }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.details == [scarce.id.lowercasedString: "only 2 left"])
            #expect(try await commerce.quantity(of: plenty, at: café) == 10)
            #expect(try await commerce.outbox("order.created").isEmpty)
        }
    }

    @Test func pricesAreTheMenusAtTheMomentOfTheOrder() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10, price: 350)
            let order = try await commerce.order([(latte, 2), (latte, 1)], at: café)
            #expect(order.lines.count == 1)
            #expect(order.lines.first?.quantity == 3)
            #expect(order.lines.first?.unitPriceCents == 350)
            #expect(order.totalCents == 1050)
            _ = try await commerce.menu.update(latte.id.lowercasedString, ProductChange(priceCents: 999))
            #expect(try await commerce.orders.order(order.id.lowercasedString, by: Commerce.staff).totalCents == 1050)
            let created = try #require(try await commerce.outbox("order.created").first)
            #expect(created["totalCents"] as? String == "1050")
            #expect(created["paymentToken"] as? String == "tok_ok")
        }
    }

    @Test func unknownAndInactiveProductsAreNamedByLine() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let retired = try await commerce.product()
            _ = try await commerce.menu.deactivate(retired.id.lowercasedString)
            let error = await Fixtures.appError {
                _ = try await commerce.orders.create(
                    locationID: café.id.lowercasedString,
                    items: [(latte.id.lowercasedString, 1), (retired.id.lowercasedString, 1), (UUID().uuidString, 1), ("x", 1)],
                    paymentToken: nil, idempotencyKey: nil, by: Commerce.customer())
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.details["items.3.product_id"] == "is not a product id")
            // The malformed line is reported first; with it fixed, the others are named by their
            // place in the request, also after lines of one product were merged.
            let second = await Fixtures.appError {
                _ = try await commerce.order([(latte, 1), (latte, 1), (retired, 1)], at: café)
            }
            #expect(second?.details == ["items.2.product_id": "is not an active product"])
            #expect(try await commerce.quantity(of: latte, at: café) == 10)
        }
    }

    @Test func requestsAreCheckedBeforeAnythingIsTaken() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let error = await Fixtures.appError {
                _ = try await commerce.orders.create(
                    locationID: nil, items: [(latte.id.lowercasedString, 0), (latte.id.lowercasedString, 101)],
                    paymentToken: String(repeating: "t", count: 201), idempotencyKey: "", by: Commerce.customer())
            }
            #expect(
                error?.details == [
                    "location_id": "is required", "items.0.quantity": "must be between 1 and 100",
                    "items.1.quantity": "must be between 1 and 100", "payment_token": "must be at most 200 characters",
                    "Idempotency-Key": "must be 1 to 128 characters",
                ])
            let none = await Fixtures.appError {
                _ = try await commerce.orders.create(
                    locationID: café.id.lowercasedString, items: [], paymentToken: nil, idempotencyKey: nil, by: Commerce.customer())
            }
            #expect(none?.details == ["items": "must have 1 to 50 lines"])
            _ = try await commerce.locations.deactivate(café.id.lowercasedString)
            let closed = await Fixtures.appError { _ = try await commerce.order([(latte, 1)], at: café) }
            #expect(closed?.details == ["location_id": "is not an active café"])
        }
    }

    // MARK: Idempotency-Key

    @Test func aReplayedKeyAnswersTheFirstOrderAsCreated() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let customer = Commerce.customer()
            let first = try await commerce.order([(latte, 2)], at: café, by: customer, key: "key-1")
            try await commerce.deliver(try Commerce.succeeded(first))
            #expect(try await commerce.status(of: first) == .paid)
            let replay = try await commerce.order([(latte, 2)], at: café, by: customer, key: "key-1")
            #expect(replay == first)
            #expect(try await commerce.quantity(of: latte, at: café) == 8)
            #expect(try await commerce.outbox("order.created").count == 1)
            // Another request under the same key is refused; another caller's key is theirs.
            let other = await Fixtures.appError { _ = try await commerce.order([(latte, 3)], at: café, by: customer, key: "key-1") }
            #expect(other?.code == .invalidArgument)
            #expect(other?.details == ["Idempotency-Key": "was used for a different order"])
            let someoneElse = try await commerce.order([(latte, 2)], at: café, key: "key-1")
            #expect(someoneElse.id != first.id)
        }
    }

    @Test func concurrentRequestsWithOneKeyMakeOneOrder() async throws {
        try await Commerce.run(maxConnections: 12) { commerce in
            let (café, latte) = try await commerce.stocked(100)
            let customer = Commerce.customer()
            let ids = try await withThrowingTaskGroup(of: UUID.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await commerce.order([(latte, 1)], at: café, by: customer, key: "same key").id }
                }
                return try await group.reduce(into: Set<UUID>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await commerce.quantity(of: latte, at: café) == 99)
        }
    }

    @Test func aKeyIsKeptForADay() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let customer = Commerce.customer()
            let first = try await commerce.order([(latte, 1)], at: café, by: customer, key: "daily")
            commerce.clock.advance(by: 24 * 3600 + 1)
            let next = try await commerce.order([(latte, 1)], at: café, by: customer, key: "daily")
            #expect(next.id != first.id)
        }
    }

    // MARK: Who sees and sells what

    @Test func aTerminalSellsAtItsOwnCaféOnly() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let elsewhere = try await commerce.café()
            let terminal = Commerce.terminal(of: café)
            let sale = try await commerce.orders.create(
                locationID: nil, items: [(latte.id.lowercasedString, 1)], paymentToken: nil, idempotencyKey: nil, by: terminal
            ).order
            #expect(sale.userID == nil)
            #expect(sale.locationID == café.id)
            let refused = await Fixtures.appError { _ = try await commerce.order([(latte, 1)], at: elsewhere, by: terminal) }
            #expect(refused?.code == .permissionDenied)
            // Its café's orders, nobody else's.
            let customer = Commerce.customer()
            let customers = try await commerce.order([(latte, 1)], at: café, by: customer)
            #expect(try await commerce.orders.order(customers.id.lowercasedString, by: terminal).id == customers.id)
            let otherTerminal = Commerce.terminal(of: elsewhere)
            let hidden = await Fixtures.appError { _ = try await commerce.orders.order(customers.id.lowercasedString, by: otherTerminal) }
            #expect(hidden?.code == .notFound)
            let listed = try await commerce.orders.list(
                status: nil, locationID: nil, paging: try PageRequest(page: 1, size: 10), by: otherTerminal)
            #expect(listed.items.isEmpty)
        }
    }

    @Test func customersSeeTheirOwnOrdersOnly() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let ann = Commerce.customer()
            let bob = Commerce.customer()
            let anns = try await commerce.order([(latte, 1)], at: café, by: ann)
            _ = try await commerce.order([(latte, 1)], at: café, by: bob)
            let paging = try PageRequest(page: 1, size: 10)
            #expect(try await commerce.orders.list(status: nil, locationID: nil, paging: paging, by: ann).items.map(\.id) == [anns.id])
            #expect(try await commerce.orders.list(status: nil, locationID: nil, paging: paging, by: Commerce.staff).total == 2)
            let hidden = await Fixtures.appError { _ = try await commerce.orders.order(anns.id.lowercasedString, by: bob) }
            #expect(hidden?.code == .notFound)
            let bad = await Fixtures.appError {
                _ = try await commerce.orders.list(status: "lost", locationID: "x", paging: paging, by: ann)
            }
            #expect(bad?.details.keys.sorted() == ["location_id", "status"])
        }
    }
}
