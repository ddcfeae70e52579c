import Contracts
import PlatformAPI
import PlatformCore

/// `/api/locations/{id}/stock…`: a café's stock, for staff, admins and the café's own terminals
/// (product refuses a terminal of another café with 403); adjustments by staff and admins only.
extension GatewayAPI {
    func getStock(_ input: Operations.GetStock.Input) async throws -> Operations.GetStock.Output {
        var query = QueryValues()
        let lowOnly = query.bool(input.query.lowOnly, "low_only")
        try query.check()
        let stock = try await peers.products.getStock(
            .with {
                $0.caller = .current
                $0.locationID = input.path.id
                $0.lowOnly = lowOnly ?? false
            })
        return .ok(.init(body: .json(.init(items: stock.items.map(Components.Schemas.StockLine.init)))))
    }

    func restock(_ input: Operations.Restock.Input) async throws -> Operations.Restock.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let stock = try await peers.products.restock(
            .with {
                $0.caller = .current
                $0.locationID = input.path.id
                $0.items = (body.items ?? []).map { line in
                    .with {
                        $0.productID = line.productId
                        $0.quantity = line.quantity
                    }
                }
            })
        return .ok(.init(body: .json(.init(items: stock.items.map(Components.Schemas.StockLine.init)))))
    }

    func adjustStock(_ input: Operations.AdjustStock.Input) async throws -> Operations.AdjustStock.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        try requirePresent(
            ["product_id": body.productId, "delta": body.delta.map(String.init), "reason": body.reason],
            "product_id, delta and reason are required")
        let line = try await peers.products.adjustStock(
            .with {
                $0.caller = .current
                $0.locationID = input.path.id
                $0.productID = body.productId ?? ""
                $0.delta = body.delta ?? 0
                $0.reason = body.reason ?? ""
            })
        return .ok(.init(body: .json(.init(line))))
    }

    func listMovements(_ input: Operations.ListMovements.Input) async throws -> Operations.ListMovements.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        try query.check()
        let result = try await peers.products.listMovements(
            .with {
                $0.caller = .current
                $0.locationID = input.path.id
                $0.productID = input.path.productId
                if let paging { $0.page = .init(paging) }
            })
        let items = result.movements.map(Components.Schemas.Movement.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }
}
