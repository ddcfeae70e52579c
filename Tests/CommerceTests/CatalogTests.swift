import DatabaseKit
import EventKit
import Foundation
import PlatformCore
import ProductService
import TestSupport
import Testing

/// The menu, the cafés and their stock against the live Postgres server.
@Suite("Menu, cafés and stock", .needs(.postgres))
struct CatalogTests {
    static let firstPage = try! PageRequest(page: 1, size: 50)

    // MARK: Menu

    @Test func activeNamesAreUniqueAndFreedByDeactivation() async throws {
        try await Commerce.run { commerce in
            let latte = try await commerce.product("Latte")
            let taken = await Fixtures.appError { _ = try await commerce.product(" latte ") }
            #expect(taken?.code == .alreadyExists)
            #expect(taken?.details == ["name": "is taken"])
            _ = try await commerce.menu.deactivate(latte.id.lowercasedString)
            let successor = try await commerce.product("LATTE")
            #expect(successor.id != latte.id)
            let revived = await Fixtures.appError { _ = try await commerce.menu.update(latte.id.lowercasedString, ProductChange(active: true)) }
            #expect(revived?.code == .alreadyExists)
        }
    }

    @Test func onlyTheFieldsSentChange() async throws {
        try await Commerce.run { commerce in
            let latte = try await commerce.product("Latte", price: 350)
            commerce.clock.advance(by: 5)
            let cheaper = try await commerce.menu.update(latte.id.lowercasedString, ProductChange(priceCents: 300))
            #expect(cheaper.name == "Latte")
            #expect(cheaper.description == "with milk")
            #expect(cheaper.priceCents == 300)
            #expect(cheaper.updatedAt == latte.updatedAt.addingTimeInterval(5))
            let invalid = await Fixtures.appError {
                _ = try await commerce.menu.update(latte.id.lowercasedString, ProductChange(name: "", priceCents: 1_000_001))
            }
            #expect(invalid?.details.keys.sorted() == ["name", "price_cents"])
            let missing = await Fixtures.appError { _ = try await commerce.menu.update(UUID().uuidString, ProductChange(priceCents: 1)) }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func customersSeeActiveProductsStaffSeeAll() async throws {
        try await Commerce.run { commerce in
            let latte = try await commerce.product("Latte")
            let retired = try await commerce.product("Retired brew")
            _ = try await commerce.menu.deactivate(retired.id.lowercasedString)
            let customer = Commerce.customer()
            let anonymous = Requester(userID: nil, roles: [], locationID: nil)
            let listed = try await commerce.menu.list(ProductQuery(paging: Self.firstPage), by: anonymous)
            #expect(listed.items.map(\.id) == [latte.id])
            let everything = try await commerce.menu.list(ProductQuery(paging: Self.firstPage, includeInactive: true), by: Commerce.staff)
            #expect(everything.total == 2)
            let refused = await Fixtures.appError {
                _ = try await commerce.menu.list(ProductQuery(paging: Self.firstPage, includeInactive: true), by: customer)
            }
            #expect(refused?.code == .permissionDenied)
            let hidden = await Fixtures.appError { _ = try await commerce.menu.product(retired.id.lowercasedString, by: customer) }
            #expect(hidden?.code == .notFound)
            #expect(try await commerce.menu.product(retired.id.lowercasedString, by: Commerce.admin).active == false)
        }
    }

    @Test func searchMatchesNameAndDescriptionLiterally() async throws {
        try await Commerce.run { commerce in
            let pct = try await commerce.menu.create(name: "100% Arabica", category: "beans", description: "", priceCents: 900)
            _ = try await commerce.menu.create(name: "Tea", category: "tea", description: "Earl grey, 100 g", priceCents: 400)
            _ = try await commerce.menu.create(name: "Mocha", category: "coffee", description: "chocolate", priceCents: 450)
            let anyone = Commerce.customer()
            func search(_ text: String?, category: String? = nil) async throws -> [String] {
                try await commerce.menu.list(ProductQuery(paging: Self.firstPage, search: text, category: category), by: anyone)
                    .items.map(\.name)
            }
            #expect(try await search("100%") == [pct.name])
            #expect(try await search("100") == ["100% Arabica", "Tea"])
            #expect(try await search("CHOCO") == ["Mocha"])
            #expect(try await search("_") == [])
            #expect(try await search(nil, category: "tea") == ["Tea"])
            let categories = try await commerce.menu.categories()
            #expect(categories.map(\.name) == ["beans", "coffee", "tea"])
            #expect(categories.allSatisfy { $0.productCount == 1 })
        }
    }

    @Test func aPageBeyondTheLastStillCountsTheTotal() async throws {
        try await Commerce.run { commerce in
            for index in 0..<3 { _ = try await commerce.product("Brew \(index)") }
            let page = try await commerce.menu.list(ProductQuery(paging: try PageRequest(page: 5, size: 2)), by: Commerce.customer())
            #expect(page.items.isEmpty)
            #expect(page.total == 3)
        }
    }

    // MARK: Cafés

    @Test func accessCodesAreKeptAsHashesAndCheckedAlike() async throws {
        try await Commerce.run { commerce in
            let café = try await commerce.café(code: "open sesame")
            let stored = try #require(
                try await commerce.client.query("SELECT access_code_hash FROM locations WHERE id = $1", [.uuid(café.id)]).first)
            let hash = try stored.required("access_code_hash", stored.string)
            #expect(hash.hasPrefix("$2b$04$"))
            #expect(!hash.contains("open sesame"))
            #expect(try await commerce.locations.verifyAccess(location: café.id.lowercasedString, code: "open sesame").id == café.id)
            let closed = try await commerce.café(code: "open sesame")
            _ = try await commerce.locations.deactivate(closed.id.lowercasedString)
            let refusals = [
                await Fixtures.appError { _ = try await commerce.locations.verifyAccess(location: café.id.lowercasedString, code: "open sesamE") },
                await Fixtures.appError { _ = try await commerce.locations.verifyAccess(location: UUID().uuidString, code: "open sesame") },
                await Fixtures.appError { _ = try await commerce.locations.verifyAccess(location: "nope", code: "open sesame") },
                await Fixtures.appError { _ = try await commerce.locations.verifyAccess(location: closed.id.lowercasedString, code: "open sesame") },
            ]
            #expect(refusals.map { $0?.code } == Array(repeating: .unauthenticated, count: 4))
            #expect(Set(refusals.map { $0?.message }).count == 1)
        }
    }

    @Test func changingTheCodeOrClosingTheCaféEndsItsTerminalsSessions() async throws {
        try await Commerce.run { commerce in
            let café = try await commerce.café(code: "first code")
            _ = try await commerce.locations.update(café.id.lowercasedString, LocationChange(name: "Renamed", address: "2 Side Street"))
            #expect(try await commerce.outbox("location.access_changed").isEmpty)
            _ = try await commerce.locations.update(café.id.lowercasedString, LocationChange(accessCode: "second code"))
            let refused = await Fixtures.appError { _ = try await commerce.locations.verifyAccess(location: café.id.lowercasedString, code: "first code") }
            #expect(refused?.code == .unauthenticated)
            _ = try await commerce.locations.deactivate(café.id.lowercasedString)
            let changes = try await commerce.outbox("location.access_changed")
            #expect(changes.map { $0["locationId"] as? String } == [café.id.lowercasedString, café.id.lowercasedString])
            #expect(changes.map { $0["active"] as? Bool ?? false } == [true, false])
            let invalid = await Fixtures.appError {
                _ = try await commerce.locations.update(café.id.lowercasedString, LocationChange(accessCode: "short"))
            }
            #expect(invalid?.details.keys.sorted() == ["access_code"])
        }
    }

    // MARK: Stock

    @Test func aNewProductIsInEveryCaféAtZeroAndCanBeStockedAtOnce() async throws {
        try await Commerce.run { commerce in
            let north = try await commerce.café()
            let south = try await commerce.café()
            let latte = try await commerce.product()
            for café in [north, south] {
                let lines = try await commerce.stock.stock(at: café.id.lowercasedString, lowOnly: false, by: Commerce.staff)
                #expect(lines.map(\.quantity) == [0])
                #expect(lines.first?.restockedAt == nil)
            }
            let restocked = try await commerce.stock.restock(at: south.id.lowercasedString, [(latte.id.lowercasedString, 25)], by: Commerce.staff)
            #expect(restocked.map(\.quantity) == [25])
            #expect(restocked.first?.restockedAt == commerce.clock.now)
            #expect(try await commerce.stock.stock(at: south.id.lowercasedString, lowOnly: true, by: Commerce.staff).isEmpty)
            #expect(try await commerce.stock.stock(at: north.id.lowercasedString, lowOnly: true, by: Commerce.staff).count == 1)
            _ = try await commerce.order([(latte, 1)], at: south)
        }
    }

    @Test func aRestockTakesAllLinesOrNone() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(5)
            let retired = try await commerce.product()
            _ = try await commerce.menu.deactivate(retired.id.lowercasedString)
            let error = await Fixtures.appError {
                _ = try await commerce.stock.restock(
                    at: café.id.lowercasedString, [(latte.id.lowercasedString, 10), (retired.id.lowercasedString, 10)], by: Commerce.staff)
            }
            #expect(error?.details == ["items.1.product_id": "is not an active product"])
            #expect(try await commerce.quantity(of: latte, at: café) == 5)
            let bounds = await Fixtures.appError {
                _ = try await commerce.stock.restock(
                    at: café.id.lowercasedString, [(latte.id.lowercasedString, 0), ("x", 10_001)], by: Commerce.staff)
            }
            #expect(bounds?.details.keys.sorted() == ["items.0.quantity", "items.1.product_id", "items.1.quantity"])
        }
    }

    @Test func adjustmentsNeverTakeStockBelowZeroAndAreRecorded() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(5)
            let location = café.id.lowercasedString
            let product = latte.id.lowercasedString
            let below = await Fixtures.appError {
                _ = try await commerce.stock.adjust(at: location, product: product, delta: -6, reason: "waste", by: Commerce.staff)
            }
            #expect(below?.code == .failedPrecondition)
            #expect(try await commerce.stock.adjust(at: location, product: product, delta: -5, reason: "waste", by: Commerce.staff).quantity == 0)
            #expect(try await commerce.stock.adjust(at: location, product: product, delta: 3, reason: "count", by: Commerce.staff).quantity == 3)
            let invalid = await Fixtures.appError {
                _ = try await commerce.stock.adjust(at: location, product: product, delta: 0, reason: "theft", by: Commerce.staff)
            }
            #expect(invalid?.details.keys.sorted() == ["delta", "reason"])
            let movements = try await commerce.stock.movements(at: location, product: product, paging: Self.firstPage, by: Commerce.staff)
            #expect(movements.items.map(\.kind) == [.adjustment, .adjustment, .restock])
            #expect(movements.items.map(\.reason) == ["count", "waste", ""])
            #expect(movements.items.map(\.quantityAfter) == [3, 0, 5])
        }
    }

    @Test func aTerminalTouchesItsOwnCaféOnly() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(5)
            let elsewhere = try await commerce.café()
            let terminal = Commerce.terminal(of: café)
            _ = try await commerce.stock.restock(at: café.id.lowercasedString, [(latte.id.lowercasedString, 1)], by: terminal)
            #expect(try await commerce.quantity(of: latte, at: café) == 6)
            for location in [elsewhere.id, UUID()] {
                let refused = await Fixtures.appError {
                    _ = try await commerce.stock.restock(at: location.lowercasedString, [(latte.id.lowercasedString, 1)], by: terminal)
                }
                #expect(refused?.code == .permissionDenied)
                let read = await Fixtures.appError { _ = try await commerce.stock.stock(at: location.lowercasedString, lowOnly: false, by: terminal) }
                #expect(read?.code == .permissionDenied)
            }
            let customer = await Fixtures.appError {
                _ = try await commerce.stock.stock(at: café.id.lowercasedString, lowOnly: false, by: Commerce.customer())
            }
            #expect(customer?.code == .permissionDenied)
            let unknown = await Fixtures.appError { _ = try await commerce.stock.stock(at: UUID().uuidString, lowOnly: false, by: Commerce.staff) }
            #expect(unknown?.code == .notFound)
        }
    }
}
