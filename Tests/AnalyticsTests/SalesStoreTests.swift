import AnalyticsService
import DatabaseKit
import EventKit
import Foundation
import MariaDB
import PlatformCore
import TestSupport
import Testing

/// The sales facts on the live MariaDB server: each order counts once, a refund takes it back
/// out (also when it comes first, also when both race), rollups stay exact under concurrency, and
/// a rebuild that meets live events neither loses nor doubles a sale.
@Suite("Sales store", .needs(.mariadb))
struct SalesStoreTests {
    static let north = UUID()
    static let south = UUID()
    static let latte = UUID()
    static let scone = UUID()

    func withStore(_ body: (MariaDBSalesStore, MariaDBClient) async throws -> Void) async throws {
        let migrations = try ServiceSchemas.migrations(of: "Analytics", eventTables: .init(outbox: false, inbox: true), dialect: .mariadb)
        try await TestMariaDB.withDatabase(migrations: migrations, poolSize: 12) { client in
            try await body(MariaDBSalesStore(client: client), client)
        }
    }

    static func at(_ text: String) -> Date {
        (try? Date(text, strategy: .iso8601)) ?? Date(timeIntervalSince1970: 0)
    }

    /// A sale of `lattes` lattes (350 each) and `scones` scones (275 each).
    static func sale(
        _ order: UUID = UUID(), at location: UUID = north, lattes: Int64 = 1, scones: Int64 = 0, paidAt: String = "2026-10-15T10:00:00Z"
    ) -> Sale {
        var lines: [Sale.Line] = []
        if lattes > 0 {
            lines.append(.init(productID: latte, productName: "Latte", category: "coffee", quantity: lattes, unitPriceCents: 350, lineTotalCents: 350 * lattes))
        }
        if scones > 0 {
            lines.append(.init(productID: scone, productName: "Scone", category: "bakery", quantity: scones, unitPriceCents: 275, lineTotalCents: 275 * scones))
        }
        return Sale(
            orderID: order, locationID: location, locationName: location == north ? "North" : "South", lines: lines,
            totalCents: lines.reduce(0) { $0 + $1.lineTotalCents }, paidAt: at(paidAt))
    }

    static let october = Day("2026-10-01")!...Day("2026-10-31")!

    @Test func aSaleCountsOnceWhateverDeliversIt() async throws {
        try await withStore { store, _ in
            let sale = Self.sale(lattes: 2, scones: 1)
            let event = try Fixtures.received("order.paid", json: "{}")
            #expect(try await store.record(sale, cause: event))
            #expect(try await !store.record(sale, cause: event))  // the same delivery again
            #expect(try await !store.record(sale, cause: try Fixtures.received("order.paid", json: "{}")))  // published twice
            #expect(try await !store.record(sale, cause: nil))  // the history of a rebuild
            let sales = try await store.locationSales(Self.october)
            #expect(sales == [LocationSales(locationID: Self.north, name: "North", salesCents: 975, orderCount: 1)])
            #expect(try await store.topProducts(in: Month("2026-10")!, limit: 5).map(\.quantity) == [2, 1])
            #expect(try await store.categorySales(Self.october).map(\.salesCents).sorted() == [275, 700])
        }
    }

    @Test func aRefundTakesTheSaleOutOnceInEitherOrder() async throws {
        try await withStore { store, _ in
            let first = Self.sale(lattes: 2)
            try await store.record(first, cause: nil)
            try await store.refund(order: first.orderID, at: Date(), cause: nil)
            try await store.refund(order: first.orderID, at: Date(), cause: nil)
            // Refunded before its sale arrives: the sale never counts.
            let second = Self.sale(lattes: 3)
            try await store.refund(order: second.orderID, at: Date(), cause: nil)
            #expect(try await !store.record(second, cause: nil))
            let kept = Self.sale(lattes: 1)
            try await store.record(kept, cause: nil)
            #expect(try await store.locationSales(Self.october).map(\.salesCents) == [350])
            #expect(try await store.locationSales(Self.october).map(\.orderCount) == [1])
            #expect(try await store.productQuantities(Self.october)[Self.north]?.map(\.quantity) == [1])
            #expect(try await store.categorySales(Self.october).map(\.salesCents) == [350])
            #expect(try await store.monthlySales().map(\.salesCents) == [350])
        }
    }

    /// 40 orders, each recorded and refunded at once from two tasks: whoever wins, every order
    /// ends out of the figures, and no rollup is left off by an amount.
    @Test func aSaleAndItsRefundRacingEndUncounted() async throws {
        try await withStore { store, _ in
            let sales = (0..<40).map { _ in Self.sale(lattes: 2, scones: 1) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sale in sales {
                    group.addTask { try await store.record(sale, cause: nil) }
                    group.addTask { try await store.refund(order: sale.orderID, at: Date(), cause: nil) }
                }
                try await group.waitForAll()
            }
            #expect(try await store.locationSales(Self.october).isEmpty)
            #expect(try await store.productQuantities(Self.october).isEmpty)
            #expect(try await store.categorySales(Self.october).isEmpty)
        }
    }

    /// 60 concurrent sales into the same rollup rows (one café, one day, two products in either
    /// order): the totals are exact.
    @Test func concurrentSalesAddUpExactly() async throws {
        try await withStore { store, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<60 {
                    group.addTask { try await store.record(Self.sale(lattes: Int64(index % 3 + 1), scones: Int64(index % 2)), cause: nil) }
                }
                try await group.waitForAll()
            }
            let lattes = (0..<60).reduce(Int64(0)) { $0 + Int64($1 % 3 + 1) }
            let scones = (0..<60).reduce(Int64(0)) { $0 + Int64($1 % 2) }
            let sales = try await store.locationSales(Self.october)
            #expect(sales.map(\.orderCount) == [60])
            #expect(sales.map(\.salesCents) == [lattes * 350 + scones * 275])
            let quantities = try await store.productQuantities(Self.october)[Self.north] ?? []
            #expect(Set(quantities.map(\.quantity)) == [lattes, scones])
        }
    }

    @Test func daysAreUTCDaysAndRangesIncludeBothEnds() async throws {
        try await withStore { store, _ in
            try await store.record(Self.sale(lattes: 1, paidAt: "2026-10-31T23:59:59.999Z"), cause: nil)
            try await store.record(Self.sale(lattes: 2, paidAt: "2026-11-01T00:00:00Z"), cause: nil)
            try await store.record(Self.sale(at: Self.south, lattes: 4, paidAt: "2026-10-01T00:00:00Z"), cause: nil)
            let daily = try await store.dailySales(Self.october)
            #expect(Set(daily.map { "\($0.day) \($0.salesCents)" }) == ["2026-10-31 350", "2026-10-01 1400"])
            let months = try await store.monthlySales()
            #expect(Set(months.map { "\($0.month) \($0.salesCents)" }) == ["2026-10 350", "2026-11 700", "2026-10 1400"])
        }
    }

    /// A rebuild forgets every fact and records the history again while events keep arriving:
    /// sales that came by event, by history or by both count once; a refund that came by event
    /// during the rebuild wins over the history's stale view, before or after the history
    /// reached its order.
    @Test func aRebuildMeetingLiveEventsNeitherLosesNorDoubles() async throws {
        try await withStore { store, _ in
            let old = (0..<20).map { _ in Self.sale(lattes: 1) }
            for sale in old { try await store.record(sale, cause: nil) }
            let live = (0..<10).map { _ in Self.sale(lattes: 1) }
            // One refunded after the history brought it back, one before it does.
            let refunded = [old[0], old[10]]
            let gate = Gate()
            // The history holds after its fifth sale until the live events were applied.
            let history = ScriptedHistory(sales: old + live.prefix(5), holdAfter: 5, gate: gate)
            let rebuild = SalesRebuild(store: store, history: history, logger: Fixtures.quietLogger)
            async let rebuilt = rebuild.rebuild()
            try await waitUntil("the rebuild half way") { gate.arrived == 1 }
            for sale in live { try await store.record(sale, cause: try Fixtures.received("order.paid", json: "{}")) }
            for sale in refunded {
                try await store.refund(order: sale.orderID, at: Date(), cause: try Fixtures.received("order.refunded", json: "{}"))
            }
            gate.open()
            #expect(await rebuilt == 25)
            let sales = try await store.locationSales(Self.october)
            let counted = Int64(old.count + live.count - refunded.count)
            #expect(sales.map(\.orderCount) == [counted])
            #expect(sales.map(\.salesCents) == [counted * 350])
        }
    }
}

extension SalesStoreTests {
    /// A rebuild's reset lands among 60 sales being recorded at once, five rounds: none is left
    /// half there (its row without its rollups), none is counted twice.
    @Test func aResetAmongConcurrentSalesLeavesNoHalfSale() async throws {
        try await withStore { store, _ in
            for round in 0..<5 {
                let sales = (0..<60).map { _ in Self.sale(lattes: 1) }
                let rebuild = SalesRebuild(
                    store: store, history: ScriptedHistory(sales: sales, holdAfter: .max, gate: Gate()), logger: Fixtures.quietLogger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (index, sale) in sales.enumerated() {
                        group.addTask { try await store.record(sale, cause: try Fixtures.received("order.paid", json: "{}")) }
                        if index == 20 { group.addTask { #expect(await rebuild.rebuild() == sales.count) } }
                    }
                    try await group.waitForAll()
                }
                #expect(rebuild.status.lastError == nil)
                let counted = try await store.locationSales(Self.october)
                #expect(counted.map(\.orderCount) == [60], "round \(round)")
                #expect(counted.map(\.salesCents) == [60 * 350], "round \(round)")
            }
        }
    }
}

/// Product's history as a test scripts it: pauses at a gate after `holdAfter` sales.
struct ScriptedHistory: SalesHistory {
    let sales: [Sale]
    let holdAfter: Int
    let gate: Gate

    func forEachSale(_ body: @escaping @Sendable (Sale, Bool) async throws -> Void) async throws {
        for (index, sale) in sales.enumerated() {
            if index == holdAfter { await gate.pass() }
            try await body(sale, false)
        }
    }
}
