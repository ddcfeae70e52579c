import FoundationEssentials

/// A paid order as analytics counts it: its lines as sold, at the moment it was paid.
public struct Sale: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var productID: UUID
        public var productName: String
        public var category: String
        public var quantity: Int64
        public var unitPriceCents: Int64
        public var lineTotalCents: Int64

        public init(productID: UUID, productName: String, category: String, quantity: Int64, unitPriceCents: Int64, lineTotalCents: Int64) {
            self.productID = productID
            self.productName = productName
            self.category = category
            self.quantity = quantity
            self.unitPriceCents = unitPriceCents
            self.lineTotalCents = lineTotalCents
        }
    }

    public var orderID: UUID
    public var locationID: UUID
    public var locationName: String
    public var lines: [Line]
    public var totalCents: Int64
    public var paidAt: Date

    public init(orderID: UUID, locationID: UUID, locationName: String, lines: [Line], totalCents: Int64, paidAt: Date) {
        self.orderID = orderID
        self.locationID = locationID
        self.locationName = locationName
        self.lines = lines
        self.totalCents = totalCents
        self.paidAt = paidAt
    }
}

/// A café's sales in a period.
public struct LocationSales: Sendable, Equatable {
    public var locationID: UUID
    public var name: String
    public var salesCents: Int64
    public var orderCount: Int64

    public init(locationID: UUID, name: String, salesCents: Int64, orderCount: Int64) {
        self.locationID = locationID
        self.name = name
        self.salesCents = salesCents
        self.orderCount = orderCount
    }
}

/// How many of a product were sold in a period (at one café, or everywhere).
public struct ProductQuantity: Sendable, Equatable {
    public var productID: UUID
    public var name: String
    public var quantity: Int64

    public init(productID: UUID, name: String, quantity: Int64) {
        self.productID = productID
        self.name = name
        self.quantity = quantity
    }
}

public struct DailySales: Sendable, Equatable {
    public var day: Day
    public var locationID: UUID
    public var salesCents: Int64

    public init(day: Day, locationID: UUID, salesCents: Int64) {
        self.day = day
        self.locationID = locationID
        self.salesCents = salesCents
    }
}

public struct CategorySales: Sendable, Equatable {
    public var category: String
    public var salesCents: Int64
    public var sharePct: Double

    public init(category: String, salesCents: Int64, sharePct: Double) {
        self.category = category
        self.salesCents = salesCents
        self.sharePct = sharePct
    }
}

public struct MonthlySales: Sendable, Equatable {
    public var month: Month
    public var locationID: UUID
    public var salesCents: Int64

    public init(month: Month, locationID: UUID, salesCents: Int64) {
        self.month = month
        self.locationID = locationID
        self.salesCents = salesCents
    }
}
