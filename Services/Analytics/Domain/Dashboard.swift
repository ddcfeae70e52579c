import FoundationEssentials
import PlatformCore

/// The three views of the chain's dashboard and a café's day, computed from analytics' own facts.
public struct Dashboard: Sendable {
    public static let maximumDays = 366
    public static let shortList = 3

    private let store: any SalesStore
    private let now: @Sendable () -> Date

    public init(store: any SalesStore, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.now = now
    }

    public struct Summary: Sendable, Equatable {
        public var month: Month
        public var totalSalesCents: Int64
        public var orderCount: Int64
        public var averageOrderCents: Int64
        public var topProduct: ProductQuantity?
        public var topLocation: LocationSales?
        public var previousMonthSalesCents: Int64
        public var growthPct: Double?
    }

    public struct Overview: Sendable, Equatable {
        public struct Products: Sendable, Equatable {
            public var locationID: UUID
            public var top: [ProductQuantity]
            public var bottom: [ProductQuantity]
        }

        public var days: ClosedRange<Day>
        public var locations: [LocationSales]
        public var daily: [DailySales]
        public var products: [Products]
        public var categories: [CategorySales]
    }

    public struct Prediction: Sendable, Equatable {
        public var locationID: UUID
        public var name: String
        public var currentSalesCents: Int64
        public var predictedSalesCents: Int64
        public var growthPct: Double?
        public var rank: Int
        public var monthsOfData: Int
    }

    public struct TodaySales: Sendable, Equatable {
        public var day: Day
        public var salesCents: Int64
        public var orderCount: Int64
        public var topProducts: [ProductQuantity]
    }

    /// A month (`YYYY-MM`, the current one when nil) against the one before.
    public func summary(month text: String?) async throws -> Summary {
        let month = try text.map(Self.month) ?? Month(containing: Day(now()))
        let days = month.firstDay...month.lastDay
        let previous = month.adding(-1)
        // Three independent reads, on three pooled connections at once.
        async let thisMonth = store.locationSales(days)
        async let previousMonth = store.locationSales(previous.firstDay...previous.lastDay)
        async let topProduct = store.topProducts(in: month, limit: 1).first
        let locations = try await thisMonth
        let total = locations.reduce(0) { $0 + $1.salesCents }
        let orders = locations.reduce(0) { $0 + $1.orderCount }
        let previousTotal = try await previousMonth.reduce(0) { $0 + $1.salesCents }
        return Summary(
            month: month, totalSalesCents: total, orderCount: orders,
            averageOrderCents: orders == 0 ? 0 : (total + orders / 2) / orders,
            topProduct: try await topProduct, topLocation: Self.byBestSales(locations).first,
            previousMonthSalesCents: previousTotal, growthPct: Forecast.growthPercent(from: previousTotal, to: total))
    }

    /// `from`…`to` (`YYYY-MM-DD`, both or neither; the current month when neither), at most 366 days.
    public func overview(from: String?, to: String?) async throws -> Overview {
        let days = try range(from: from, to: to)
        async let locationSales = store.locationSales(days)
        async let dailySales = store.dailySales(days)
        async let productQuantities = store.productQuantities(days)
        async let categorySales = store.categorySales(days)
        let locations = Self.byBestSales(try await locationSales)
        var sold: [Day: [UUID: Int64]] = [:]
        for sales in try await dailySales { sold[sales.day, default: [:]][sales.locationID] = sales.salesCents }
        var daily: [DailySales] = []
        for ordinal in days.lowerBound.ordinal...days.upperBound.ordinal {
            let day = Day(ordinal: ordinal)
            for location in locations {
                daily.append(DailySales(day: day, locationID: location.locationID, salesCents: sold[day]?[location.locationID] ?? 0))
            }
        }
        let quantities = try await productQuantities
        let products = locations.map { location in
            let sold = quantities[location.locationID] ?? []
            return Overview.Products(
                locationID: location.locationID, top: Array(Self.mostSoldFirst(sold).prefix(Self.shortList)),
                bottom: Array(Self.leastSoldFirst(sold).prefix(Self.shortList)))
        }
        let categories = try await categorySales
        let total = categories.reduce(0) { $0 + $1.salesCents }
        return Overview(
            days: days, locations: locations, daily: daily, products: products,
            categories: categories.map { category in
                var category = category
                category.sharePct = total == 0 ? 0 : Forecast.roundedPercent(Double(category.salesCents) / Double(total))
                return category
            }.sorted { ($0.salesCents, $1.category) > ($1.salesCents, $0.category) })
    }

    /// Each café's sales this month, from a least-squares line through its months from its first
    /// with sales to the last complete one (months without sales count as 0); the best first.
    public func predictions() async throws -> (month: Month, items: [Prediction]) {
        let current = Month(containing: Day(now()))
        let last = current.adding(-1)
        let names = try await store.locationNames()
        let byLocation = Dictionary(grouping: try await store.monthlySales().filter { $0.month <= last }) { $0.locationID }
        var items: [Prediction] = byLocation.compactMap { location, months in
            guard let first = months.map(\.month).min() else { return nil }
            let sales = Dictionary(months.map { ($0.month, $0.salesCents) }, uniquingKeysWith: +)
            let series = (first.index...last.index).map { sales[Month(index: $0)] ?? 0 }
            let predicted = Forecast.nextMonth(series)
            let currentSales = series.last ?? 0
            return Prediction(
                locationID: location, name: names[location] ?? "", currentSalesCents: currentSales, predictedSalesCents: predicted,
                growthPct: Forecast.growthPercent(from: currentSales, to: predicted), rank: 0, monthsOfData: series.count)
        }
        items.sort { ($1.predictedSalesCents, $0.name, $0.locationID.uuidString) < ($0.predictedSalesCents, $1.name, $1.locationID.uuidString) }
        for index in items.indices { items[index].rank = index + 1 }
        return (current, items)
    }

    /// Today's sales of one café (UTC), for staff, admins and the café's own terminals.
    public func today(location: String, by requester: Requester) async throws -> TodaySales {
        guard let id = UUID(uuidString: location) else { throw AppError(.notFound, "no such location") }
        try requester.requireAccess(to: id)
        let day = Day(now())
        let sales = try await store.locationSales(day...day).first { $0.locationID == id }
        let products = try await store.productQuantities(day...day)[id] ?? []
        return TodaySales(
            day: day, salesCents: sales?.salesCents ?? 0, orderCount: sales?.orderCount ?? 0,
            topProducts: Array(Self.mostSoldFirst(products).prefix(Self.shortList)))
    }

    // MARK: Rules

    static func month(_ text: String) throws(AppError) -> Month {
        guard let month = Month(text) else { throw AppError(.invalidArgument, "the month is not valid", details: ["month": "must be a month written YYYY-MM"]) }
        return month
    }

    func range(from: String?, to: String?) throws(AppError) -> ClosedRange<Day> {
        switch (from, to) {
        case (nil, nil):
            let month = Month(containing: Day(now()))
            return month.firstDay...month.lastDay
        case (let from?, let to?):
            var problems: [String: String] = [:]
            let first = Day(from)
            let last = Day(to)
            if first == nil { problems["from"] = "must be a day written YYYY-MM-DD" }
            if last == nil { problems["to"] = "must be a day written YYYY-MM-DD" }
            if let first, let last {
                if last < first {
                    problems["to"] = "must not be before from"
                } else if last.ordinal - first.ordinal + 1 > Self.maximumDays {
                    problems["to"] = "must be at most \(Self.maximumDays) days from from, both included"
                }
            }
            guard problems.isEmpty, let first, let last else {
                throw AppError(.invalidArgument, "the range is not valid", details: problems)
            }
            return first...last
        default:
            throw AppError(
                .invalidArgument, "the range is not valid",
                details: [from == nil ? "from" : "to": "is required with \(from == nil ? "to" : "from")"])
        }
    }

    static func byBestSales(_ locations: [LocationSales]) -> [LocationSales] {
        locations.sorted { ($1.salesCents, $0.name, $0.locationID.uuidString) < ($0.salesCents, $1.name, $1.locationID.uuidString) }
    }

    static func mostSoldFirst(_ products: [ProductQuantity]) -> [ProductQuantity] {
        products.sorted { ($1.quantity, $0.name, $0.productID.uuidString) < ($0.quantity, $1.name, $1.productID.uuidString) }
    }

    static func leastSoldFirst(_ products: [ProductQuantity]) -> [ProductQuantity] {
        products.sorted { ($0.quantity, $0.name, $0.productID.uuidString) < ($1.quantity, $1.name, $1.productID.uuidString) }
    }
}
