import Contracts
import FoundationEssentials
import PlatformCore
import SwiftProtobuf

// The JSON shapes of the document built from the services' messages, each in one place.

extension Components.Schemas.User {
    init(_ user: User_V1_User) {
        self.init(
            id: user.id, email: user.email, username: user.username.nonEmpty, name: user.name,
            roles: user.roles.compactMap(Components.Schemas.Role.init), active: user.active, createdAt: user.createdAt.date,
            updatedAt: user.updatedAt.date)
    }

    /// `username` is required and nullable: a user without one gets `null`, not a missing key.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(email, forKey: .email)
        try container.encode(username, forKey: .username)
        try container.encode(name, forKey: .name)
        try container.encode(roles, forKey: .roles)
        try container.encode(active, forKey: .active)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension Components.Schemas.TokenPair {
    init(_ tokens: Idm_V1_LoginResponse) {
        self.init(
            accessToken: tokens.token, refreshToken: tokens.refreshToken, tokenType: .bearer,
            expiresIn: Int(tokens.expiresIn), refreshExpiresIn: Int(tokens.refreshExpiresIn))
    }
}

extension Components.Schemas.Session {
    init(_ session: Idm_V1_Session) {
        self.init(
            id: session.id, createdAt: session.createdAt.date, lastSeenAt: session.lastSeenAt.date,
            clientAddress: session.clientAddress, userAgent: session.userAgent, current: session.current)
    }
}

extension Components.Schemas.Paging {
    init(_ page: Platform_Common_V1_PageInfo) {
        self.init(page: Int(page.page), pageSize: Int(page.pageSize), total: Int(page.total))
    }
}

extension Components.Schemas.LastConnection {
    /// `last_connection_at` is required and nullable: a user who never logged in gets `null`, not
    /// a missing key (the synthesized encoding would leave it out).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(email, forKey: .email)
        try container.encode(lastConnectionAt, forKey: .lastConnectionAt)
    }
}

extension Components.Schemas.Product {
    init(_ product: Product_V1_Product) {
        self.init(
            id: product.id, name: product.name, category: product.category, description: product.description_p,
            priceCents: product.priceCents, currency: product.currency, active: product.active,
            createdAt: product.createdAt.date, updatedAt: product.updatedAt.date)
    }
}

extension Components.Schemas.Location {
    init(_ location: Product_V1_Location) {
        self.init(
            id: location.id, name: location.name, address: location.address, active: location.active,
            createdAt: location.createdAt.date)
    }
}

extension Components.Schemas.StockLine {
    init(_ line: Product_V1_StockLine) {
        self.init(
            productId: line.productID, productName: line.productName, category: line.category, quantity: line.quantity,
            lowStock: line.lowStock, restockedAt: line.hasRestockedAt ? line.restockedAt.date : nil)
    }

    /// `restocked_at` is `null` until the first restock.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(productId, forKey: .productId)
        try container.encode(productName, forKey: .productName)
        try container.encode(category, forKey: .category)
        try container.encode(quantity, forKey: .quantity)
        try container.encode(lowStock, forKey: .lowStock)
        try container.encode(restockedAt, forKey: .restockedAt)
    }
}

extension Components.Schemas.Movement {
    init(_ movement: Product_V1_Movement) {
        self.init(
            id: movement.id, kind: .init(rawValue: movement.kind) ?? .adjustment, delta: movement.delta,
            quantityAfter: movement.quantityAfter, reason: movement.reason, orderId: movement.orderID.nonEmpty,
            createdAt: movement.createdAt.date)
    }

    /// `order_id` is `null` for a movement no order caused.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(delta, forKey: .delta)
        try container.encode(quantityAfter, forKey: .quantityAfter)
        try container.encode(reason, forKey: .reason)
        try container.encode(orderId, forKey: .orderId)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

extension Components.Schemas.Order {
    init(_ order: Product_V1_Order) {
        self.init(
            id: order.id, userId: order.userID.nonEmpty, locationId: order.locationID,
            status: .init(rawValue: order.status) ?? .pendingPayment,
            items: order.items.map {
                .init(
                    productId: $0.productID, name: $0.name, quantity: Int($0.quantity), unitPriceCents: $0.unitPriceCents,
                    lineTotalCents: $0.lineTotalCents)
            },
            totalCents: order.totalCents, currency: order.currency,
            payment: order.hasPayment
                ? .init(
                    status: .init(rawValue: order.payment.status) ?? .failed, amountCents: order.payment.amountCents,
                    reference: order.payment.reference.nonEmpty, failureReason: order.payment.failureReason.nonEmpty)
                : nil,
            createdAt: order.createdAt.date, updatedAt: order.updatedAt.date)
    }

    /// `user_id` (a terminal's sale) and `payment` (not answered yet) are `null`, not missing.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(userId, forKey: .userId)
        try container.encode(locationId, forKey: .locationId)
        try container.encode(status, forKey: .status)
        try container.encode(items, forKey: .items)
        try container.encode(totalCents, forKey: .totalCents)
        try container.encode(currency, forKey: .currency)
        try container.encode(payment, forKey: .payment)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension Components.Schemas.OrderPayment {
    /// `reference` and `failure_reason` are `null` where they do not apply.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(amountCents, forKey: .amountCents)
        try container.encode(reference, forKey: .reference)
        try container.encode(failureReason, forKey: .failureReason)
    }
}

extension Components.Schemas.PaymentRecord {
    init(_ payment: Payment_V1_PaymentRecord) {
        self.init(
            id: payment.id, orderId: payment.orderID, status: .init(rawValue: payment.status) ?? .failed,
            amountCents: payment.amountCents, currency: payment.currency, reference: payment.reference.nonEmpty,
            failureReason: payment.failureReason.nonEmpty, createdAt: payment.createdAt.date)
    }

    /// `reference` and `failure_reason` are `null` where they do not apply.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(orderId, forKey: .orderId)
        try container.encode(status, forKey: .status)
        try container.encode(amountCents, forKey: .amountCents)
        try container.encode(currency, forKey: .currency)
        try container.encode(reference, forKey: .reference)
        try container.encode(failureReason, forKey: .failureReason)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

extension Components.Schemas.SoldProduct {
    init(_ product: Analytics_V1_ProductQuantity) {
        self.init(productId: product.productID, name: product.name, quantity: product.quantity)
    }
}

extension Components.Schemas.CafeSales {
    init(_ location: Analytics_V1_LocationSales) {
        self.init(locationId: location.locationID, name: location.name, salesCents: location.salesCents, orderCount: location.orderCount)
    }
}

extension Components.Schemas.SalesSummary {
    init(_ summary: Analytics_V1_Summary) {
        self.init(
            month: summary.month, totalSalesCents: summary.totalSalesCents, orderCount: summary.orderCount,
            averageOrderCents: summary.averageOrderCents,
            topProduct: summary.hasTopProduct
                ? .init(productId: summary.topProduct.productID, name: summary.topProduct.name, quantity: summary.topProduct.quantity)
                : nil,
            topLocation: summary.hasTopLocation
                ? .init(
                    locationId: summary.topLocation.locationID, name: summary.topLocation.name,
                    salesCents: summary.topLocation.salesCents)
                : nil,
            previousMonthSalesCents: summary.previousMonthSalesCents, growthPct: summary.hasGrowthPct ? summary.growthPct : nil)
    }

    /// `top_product`, `top_location` and `growth_pct` are `null`, not missing, when they do not apply.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(month, forKey: .month)
        try container.encode(totalSalesCents, forKey: .totalSalesCents)
        try container.encode(orderCount, forKey: .orderCount)
        try container.encode(averageOrderCents, forKey: .averageOrderCents)
        try container.encode(topProduct, forKey: .topProduct)
        try container.encode(topLocation, forKey: .topLocation)
        try container.encode(previousMonthSalesCents, forKey: .previousMonthSalesCents)
        try container.encode(growthPct, forKey: .growthPct)
    }
}

extension Components.Schemas.SalesOverview {
    init(_ overview: Analytics_V1_Overview) {
        self.init(
            from: overview.from, to: overview.to, locations: overview.locations.map(Components.Schemas.CafeSales.init),
            daily: overview.daily.map { .init(date: $0.date, locationId: $0.locationID, salesCents: $0.salesCents) },
            products: overview.products.map {
                .init(
                    locationId: $0.locationID, top: $0.top.map(Components.Schemas.SoldProduct.init),
                    bottom: $0.bottom.map(Components.Schemas.SoldProduct.init))
            },
            categories: overview.categories.map { .init(category: $0.category, salesCents: $0.salesCents, sharePct: $0.sharePct) })
    }
}

extension Components.Schemas.SalesPredictions {
    init(_ predictions: Analytics_V1_Predictions) {
        self.init(
            month: predictions.month,
            items: predictions.items.map {
                .init(
                    locationId: $0.locationID, name: $0.name, currentSalesCents: $0.currentSalesCents,
                    predictedSalesCents: $0.predictedSalesCents, growthPct: $0.hasGrowthPct ? $0.growthPct : nil, rank: Int($0.rank),
                    monthsOfData: Int($0.monthsOfData))
            })
    }
}

extension Components.Schemas.SalesPredictions.ItemsPayloadPayload {
    /// `growth_pct` is `null`, not missing, when the current sales are 0.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(locationId, forKey: .locationId)
        try container.encode(name, forKey: .name)
        try container.encode(currentSalesCents, forKey: .currentSalesCents)
        try container.encode(predictedSalesCents, forKey: .predictedSalesCents)
        try container.encode(growthPct, forKey: .growthPct)
        try container.encode(rank, forKey: .rank)
        try container.encode(monthsOfData, forKey: .monthsOfData)
    }
}

extension Components.Schemas.RebuildStatus {
    init(_ status: Analytics_V1_RebuildStatus) {
        self.init(
            running: status.running, lastStartedAt: status.hasLastStartedAt ? status.lastStartedAt.date : nil,
            lastFinishedAt: status.hasLastFinishedAt ? status.lastFinishedAt.date : nil, lastOrders: status.lastOrders,
            lastError: status.lastError.nonEmpty)
    }

    /// The times and the error are `null`, not missing, when there is none.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(running, forKey: .running)
        try container.encode(lastStartedAt, forKey: .lastStartedAt)
        try container.encode(lastFinishedAt, forKey: .lastFinishedAt)
        try container.encode(lastOrders, forKey: .lastOrders)
        try container.encode(lastError, forKey: .lastError)
    }
}
