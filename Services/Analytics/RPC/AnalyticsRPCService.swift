import Contracts
import FoundationEssentials
import GRPCCore
import SwiftProtobuf
import PlatformCore

/// `analytics.v1.AnalyticsService` over the dashboard (the gateway checked the routes' roles;
/// a café's day is checked against the caller here).
public struct AnalyticsRPCService: Analytics_V1_AnalyticsService.SimpleServiceProtocol {
    let dashboard: Dashboard
    let rebuild: SalesRebuild

    public init(dashboard: Dashboard, rebuild: SalesRebuild) {
        self.dashboard = dashboard
        self.rebuild = rebuild
    }

    public func getSummary(request: Analytics_V1_SummaryRequest, context: ServerContext) async throws -> Analytics_V1_Summary {
        let summary = try await dashboard.summary(month: request.month.nonEmpty)
        return .with {
            $0.month = summary.month.description
            $0.totalSalesCents = summary.totalSalesCents
            $0.orderCount = summary.orderCount
            $0.averageOrderCents = summary.averageOrderCents
            if let product = summary.topProduct { $0.topProduct = .init(product) }
            if let location = summary.topLocation { $0.topLocation = .init(location) }
            $0.previousMonthSalesCents = summary.previousMonthSalesCents
            if let growth = summary.growthPct { $0.growthPct = growth }
        }
    }

    public func getOverview(request: Analytics_V1_OverviewRequest, context: ServerContext) async throws -> Analytics_V1_Overview {
        let overview = try await dashboard.overview(from: request.from.nonEmpty, to: request.to.nonEmpty)
        return .with {
            $0.from = overview.days.lowerBound.description
            $0.to = overview.days.upperBound.description
            $0.locations = overview.locations.map(Analytics_V1_LocationSales.init)
            $0.daily = overview.daily.map { daily in
                .with {
                    $0.date = daily.day.description
                    $0.locationID = daily.locationID.lowercasedString
                    $0.salesCents = daily.salesCents
                }
            }
            $0.products = overview.products.map { products in
                .with {
                    $0.locationID = products.locationID.lowercasedString
                    $0.top = products.top.map(Analytics_V1_ProductQuantity.init)
                    $0.bottom = products.bottom.map(Analytics_V1_ProductQuantity.init)
                }
            }
            $0.categories = overview.categories.map { category in
                .with {
                    $0.category = category.category
                    $0.salesCents = category.salesCents
                    $0.sharePct = category.sharePct
                }
            }
        }
    }

    public func getPredictions(request: Analytics_V1_PredictionsRequest, context: ServerContext) async throws
        -> Analytics_V1_Predictions
    {
        let (month, items) = try await dashboard.predictions()
        return .with {
            $0.month = month.description
            $0.items = items.map { item in
                .with {
                    $0.locationID = item.locationID.lowercasedString
                    $0.name = item.name
                    $0.currentSalesCents = item.currentSalesCents
                    $0.predictedSalesCents = item.predictedSalesCents
                    if let growth = item.growthPct { $0.growthPct = growth }
                    $0.rank = Int32(item.rank)
                    $0.monthsOfData = Int32(item.monthsOfData)
                }
            }
        }
    }

    public func getTodaySales(request: Analytics_V1_TodaySalesRequest, context: ServerContext) async throws
        -> Analytics_V1_TodaySales
    {
        let today = try await dashboard.today(location: request.locationID, by: Requester(request.caller))
        return .with {
            $0.date = today.day.description
            $0.salesCents = today.salesCents
            $0.orderCount = today.orderCount
            $0.topProducts = today.topProducts.map(Analytics_V1_ProductQuantity.init)
        }
    }

    public func rebuild(request: Analytics_V1_RebuildRequest, context: ServerContext) async throws -> Analytics_V1_RebuildResponse {
        guard rebuild.start() else { throw AppError(.failedPrecondition, "a rebuild is under way") }
        return .with { $0.status = "started" }
    }

    public func getRebuildStatus(request: Analytics_V1_RebuildStatusRequest, context: ServerContext) async throws
        -> Analytics_V1_RebuildStatus
    {
        let status = rebuild.status
        return .with {
            $0.running = status.running
            if let started = status.lastStartedAt { $0.lastStartedAt = .init(date: started) }
            if let finished = status.lastFinishedAt { $0.lastFinishedAt = .init(date: finished) }
            $0.lastOrders = Int64(status.lastOrders)
            $0.lastError = status.lastError ?? ""
        }
    }
}

extension Analytics_V1_ProductQuantity {
    init(_ product: ProductQuantity) {
        self = .with {
            $0.productID = product.productID.lowercasedString
            $0.name = product.name
            $0.quantity = product.quantity
        }
    }
}

extension Analytics_V1_LocationSales {
    init(_ location: LocationSales) {
        self = .with {
            $0.locationID = location.locationID.lowercasedString
            $0.name = location.name
            $0.salesCents = location.salesCents
            $0.orderCount = location.orderCount
        }
    }
}
