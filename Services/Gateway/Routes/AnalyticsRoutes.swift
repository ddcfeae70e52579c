import Contracts
import PlatformAPI
import PlatformCore

/// `/api/admin/analytics/*` (admins) and `/api/locations/{id}/sales/today` (staff, admins, the
/// café's terminals): the dashboard, from analytics' own facts.
extension GatewayAPI {
    func getSalesSummary(_ input: Operations.GetSalesSummary.Input) async throws -> Operations.GetSalesSummary.Output {
        let summary = try await peers.analytics.getSummary(.with { $0.month = input.query.month ?? "" })
        return .ok(.init(body: .json(.init(summary))))
    }

    func getSalesOverview(_ input: Operations.GetSalesOverview.Input) async throws -> Operations.GetSalesOverview.Output {
        let overview = try await peers.analytics.getOverview(
            .with {
                $0.from = input.query.from ?? ""
                $0.to = input.query.to ?? ""
            })
        return .ok(.init(body: .json(.init(overview))))
    }

    func getSalesPredictions(_ input: Operations.GetSalesPredictions.Input) async throws -> Operations.GetSalesPredictions.Output {
        .ok(.init(body: .json(.init(try await peers.analytics.getPredictions(.init())))))
    }

    func rebuildSalesFacts(_ input: Operations.RebuildSalesFacts.Input) async throws -> Operations.RebuildSalesFacts.Output {
        _ = try await peers.analytics.rebuild(.init())
        return .accepted(.init(body: .json(.init(status: .started))))
    }

    func getRebuildStatus(_ input: Operations.GetRebuildStatus.Input) async throws -> Operations.GetRebuildStatus.Output {
        .ok(.init(body: .json(.init(try await peers.analytics.getRebuildStatus(.init())))))
    }

    func getTodaySales(_ input: Operations.GetTodaySales.Input) async throws -> Operations.GetTodaySales.Output {
        let today = try await peers.analytics.getTodaySales(
            .with {
                $0.caller = .current
                $0.locationID = input.path.id
            })
        return .ok(
            .init(
                body: .json(
                    .init(
                        date: today.date, salesCents: today.salesCents, orderCount: today.orderCount,
                        topProducts: today.topProducts.map(Components.Schemas.SoldProduct.init)))))
    }
}
