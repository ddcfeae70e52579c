import Contracts
import PlatformAPI
import PlatformCore

/// `/api/orders`, `/api/admin/orders/{id}/refund`, `/api/admin/payments`: orders with
/// server-side prices (who sees which order is product's rule, from the caller), refunds and the
/// payments.
extension GatewayAPI {
    func listOrders(_ input: Operations.ListOrders.Input) async throws -> Operations.ListOrders.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        try query.check()
        let result = try await peers.products.listOrders(
            .with {
                $0.caller = .current
                if let paging { $0.page = .init(paging) }
                $0.status = input.query.status ?? ""
                $0.locationID = input.query.locationId ?? ""
            })
        let items = result.orders.map(Components.Schemas.Order.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }

    /// Anything price-like in the body is not even decoded: prices are the menu's.
    func createOrder(_ input: Operations.CreateOrder.Input) async throws -> Operations.CreateOrder.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let order = try await peers.products.createOrder(
            .with {
                $0.caller = .current
                $0.locationID = body.locationId ?? ""
                $0.items = (body.items ?? []).map { line in
                    .with {
                        $0.productID = line.productId
                        $0.quantity = Int64(line.quantity)
                    }
                }
                $0.paymentToken = body.paymentToken ?? ""
                $0.idempotencyKey = input.headers.idempotencyKey ?? ""
            })
        return .created(.init(body: .json(.init(order))))
    }

    func getOrder(_ input: Operations.GetOrder.Input) async throws -> Operations.GetOrder.Output {
        let order = try await peers.products.getOrder(
            .with {
                $0.caller = .current
                $0.id = input.path.id
            })
        return .ok(.init(body: .json(.init(order))))
    }

    func cancelOrder(_ input: Operations.CancelOrder.Input) async throws -> Operations.CancelOrder.Output {
        let order = try await peers.products.cancelOrder(
            .with {
                $0.caller = .current
                $0.id = input.path.id
            })
        return .ok(.init(body: .json(.init(order))))
    }

    /// 202: the order is `refund_pending` until the payment service confirms the refund.
    func refundOrder(_ input: Operations.RefundOrder.Input) async throws -> Operations.RefundOrder.Output {
        .accepted(.init(body: .json(.init(try await peers.products.refundOrder(.with { $0.id = input.path.id })))))
    }

    func listPayments(_ input: Operations.ListPayments.Input) async throws -> Operations.ListPayments.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        try query.check()
        let result = try await peers.payments.listPayments(
            .with {
                if let paging { $0.page = .init(paging) }
                $0.status = input.query.status ?? ""
            })
        let items = result.payments.map(Components.Schemas.PaymentRecord.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }
}
