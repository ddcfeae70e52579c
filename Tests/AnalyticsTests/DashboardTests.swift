import AnalyticsService
import Foundation
import PlatformCore
import TestSupport
import Testing

/// The dashboard's views over a small chain on the live MariaDB server, every figure worked out
/// by hand in the comments.
@Suite("Dashboard", .needs(.mariadb))
struct DashboardTests {
    static let east = UUID()
    typealias Store = SalesStoreTests

    /// North: Sep 700 (1 order); Oct 350 + 550 + 625 = 1,525 (3); Nov 1,050 + 275 = 1,325 (2).
    /// South: Nov 1,450 (1). East: Dec 350 (1), the month in progress. Today is 2026-12-09.
    func withChain(_ body: (Dashboard) async throws -> Void) async throws {
        try await Store().withStore { store, _ in
            let sales = [
                Store.sale(at: Store.north, lattes: 2, paidAt: "2026-09-05T08:00:00Z"),
                Store.sale(at: Store.north, lattes: 1, paidAt: "2026-10-01T08:00:00Z"),
                Store.sale(at: Store.north, lattes: 0, scones: 2, paidAt: "2026-10-20T08:00:00Z"),
                Store.sale(at: Store.north, lattes: 1, scones: 1, paidAt: "2026-10-31T23:30:00Z"),
                Store.sale(at: Store.north, lattes: 3, paidAt: "2026-11-02T09:00:00Z"),
                Store.sale(at: Store.north, lattes: 0, scones: 1, paidAt: "2026-11-30T17:00:00Z"),
                Store.sale(at: Store.south, lattes: 1, scones: 4, paidAt: "2026-11-15T12:00:00Z"),
                Sale(
                    orderID: UUID(), locationID: Self.east, locationName: "East",
                    lines: [.init(productID: Store.latte, productName: "Latte", category: "coffee", quantity: 1, unitPriceCents: 350, lineTotalCents: 350)],
                    totalCents: 350, paidAt: Store.at("2026-12-09T07:00:00Z")),
            ]
            for sale in sales { try await store.record(sale, cause: nil) }
            try await body(Dashboard(store: store, now: { Store.at("2026-12-09T12:00:00Z") }))
        }
    }

    @Test func aMonthAgainstTheMonthBefore() async throws {
        try await withChain { dashboard in
            let november = try await dashboard.summary(month: "2026-11")
            #expect(november.totalSalesCents == 2_775)
            #expect(november.orderCount == 3)
            #expect(november.averageOrderCents == 925)
            // Scones: 1 + 4 = 5; lattes: 3 + 1 = 4.
            #expect(november.topProduct == ProductQuantity(productID: Store.scone, name: "Scone", quantity: 5))
            #expect(november.topLocation?.locationID == Store.south)
            #expect(november.previousMonthSalesCents == 1_525)
            // (2,775 − 1,525) / 1,525 = 81.967…%
            #expect(november.growthPct == 81.97)
            let september = try await dashboard.summary(month: "2026-09")
            #expect(september.growthPct == nil)
            let empty = try await dashboard.summary(month: "2025-01")
            #expect(empty.topProduct == nil && empty.topLocation == nil && empty.averageOrderCents == 0)
            #expect(try await dashboard.summary(month: nil).month.description == "2026-12")
            let bad = await Fixtures.appError { _ = try await dashboard.summary(month: "2026-13") }
            #expect(bad?.details.keys.sorted() == ["month"])
        }
    }

    @Test func aRangeByCaféDayProductAndCategory() async throws {
        try await withChain { dashboard in
            let november = try await dashboard.overview(from: "2026-11-01", to: "2026-11-30")
            #expect(november.locations.map(\.name) == ["South", "North"])
            #expect(november.locations.map(\.salesCents) == [1_450, 1_325])
            #expect(november.daily.count == 60)
            let second = november.daily.filter { $0.day.description == "2026-11-02" }
            #expect(second.map(\.salesCents) == [0, 1_050])
            let north = try #require(november.products.first { $0.locationID == Store.north })
            #expect(north.top.map(\.name) == ["Latte", "Scone"])
            #expect(north.bottom.map(\.name) == ["Scone", "Latte"])
            let south = try #require(november.products.first { $0.locationID == Store.south })
            #expect(south.top.map(\.quantity) == [4, 1])
            #expect(south.bottom.map(\.quantity) == [1, 4])
            // Coffee 4 × 350 = 1,400 (50.45 %), bakery 5 × 275 = 1,375 (49.55 %).
            #expect(november.categories.map(\.category) == ["coffee", "bakery"])
            #expect(november.categories.map(\.sharePct) == [50.45, 49.55])
            let bad = await Fixtures.appError { _ = try await dashboard.overview(from: "2026-01-01", to: "2027-01-02") }
            #expect(bad?.details.keys.sorted() == ["to"])
            let lone = await Fixtures.appError { _ = try await dashboard.overview(from: "2026-01-01", to: nil) }
            #expect(lone?.details == ["to": "is required with from"])
            let december = try await dashboard.overview(from: nil, to: nil)
            #expect(december.daily.count == 31)
        }
    }

    @Test func eachCaféLineContinuesIntoThisMonth() async throws {
        try await withChain { dashboard in
            let (month, items) = try await dashboard.predictions()
            #expect(month.description == "2026-12")
            // North Sep…Nov [700, 1,525, 1,325]: slope 312.5, at December 1,808.33 → 1,808;
            // (1,808 − 1,325) / 1,325 = 36.45 %. South has one month: 1,450. East has no complete month.
            #expect(items.map(\.name) == ["North", "South"])
            #expect(items.map(\.predictedSalesCents) == [1_808, 1_450])
            #expect(items.map(\.currentSalesCents) == [1_325, 1_450])
            #expect(items.map(\.growthPct) == [36.45, 0])
            #expect(items.map(\.rank) == [1, 2])
            #expect(items.map(\.monthsOfData) == [3, 1])
        }
    }

    @Test func aCafésDayIsForItsOwnTerminalsAndStaff() async throws {
        try await withChain { dashboard in
            let terminal = Requester(userID: nil, roles: ["terminal"], locationID: Self.east)
            let today = try await dashboard.today(location: Self.east.uuidString, by: terminal)
            #expect(today.day.description == "2026-12-09")
            #expect(today.salesCents == 350 && today.orderCount == 1)
            #expect(today.topProducts.map(\.name) == ["Latte"])
            let elsewhere = await Fixtures.appError { _ = try await dashboard.today(location: Store.north.uuidString, by: terminal) }
            #expect(elsewhere?.code == .permissionDenied)
            let staff = Requester(userID: UUID(), roles: ["staff"], locationID: nil)
            #expect(try await dashboard.today(location: Store.north.uuidString, by: staff).salesCents == 0)
        }
    }
}
