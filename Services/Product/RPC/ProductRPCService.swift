import Contracts
import FoundationEssentials
import GRPCCore
import PlatformCore
import SwiftProtobuf

/// `product.v1.ProductService` over the registries. The gateway checked the route's roles; the
/// object-level rules are the registries', from each request's `caller`.
public struct ProductRPCService: Product_V1_ProductService.SimpleServiceProtocol {
    let menu: MenuRegistry
    let locations: LocationRegistry
    let stock: StockRegistry
    let orders: OrderRegistry

    public init(menu: MenuRegistry, locations: LocationRegistry, stock: StockRegistry, orders: OrderRegistry) {
        self.menu = menu
        self.locations = locations
        self.stock = stock
        self.orders = orders
    }

    // MARK: Menu

    public func listProducts(request: Product_V1_ListProductsRequest, context: ServerContext) async throws
        -> Product_V1_ListProductsResponse
    {
        let query = ProductQuery(
            paging: try PageRequest(request.page), search: request.search.nonEmpty, category: request.category.nonEmpty,
            includeInactive: request.includeInactive)
        let page = try await menu.list(query, by: Requester(request.caller))
        return .with {
            $0.products = page.items.map(Product_V1_Product.init)
            $0.page = .init(page)
        }
    }

    public func getProduct(request: Product_V1_GetProductRequest, context: ServerContext) async throws -> Product_V1_Product {
        .init(try await menu.product(request.id, by: Requester(request.caller)))
    }

    public func listCategories(request: Product_V1_ListCategoriesRequest, context: ServerContext) async throws
        -> Product_V1_ListCategoriesResponse
    {
        let categories = try await menu.categories()
        return .with {
            $0.categories = categories.map { category in
                .with {
                    $0.name = category.name
                    $0.productCount = Int64(category.productCount)
                }
            }
        }
    }

    public func createProduct(request: Product_V1_CreateProductRequest, context: ServerContext) async throws -> Product_V1_Product {
        .init(
            try await menu.create(
                name: request.name, category: request.category, description: request.description_p, priceCents: request.priceCents))
    }

    public func updateProduct(request: Product_V1_UpdateProductRequest, context: ServerContext) async throws -> Product_V1_Product {
        let change = ProductChange(
            name: request.hasName ? request.name : nil, category: request.hasCategory ? request.category : nil,
            description: request.hasDescription_p ? request.description_p : nil,
            priceCents: request.hasPriceCents ? request.priceCents : nil, active: request.hasActive ? request.active : nil)
        return .init(try await menu.update(request.id, change))
    }

    public func deactivateProduct(request: Product_V1_DeactivateProductRequest, context: ServerContext) async throws
        -> Product_V1_Product
    {
        .init(try await menu.deactivate(request.id))
    }

    // MARK: Cafés

    public func listLocations(request: Product_V1_ListLocationsRequest, context: ServerContext) async throws
        -> Product_V1_ListLocationsResponse
    {
        let all = try await locations.list()
        return .with { $0.locations = all.map(Product_V1_Location.init) }
    }

    public func getLocation(request: Product_V1_GetLocationRequest, context: ServerContext) async throws -> Product_V1_Location {
        .init(try await locations.location(request.id))
    }

    public func createLocation(request: Product_V1_CreateLocationRequest, context: ServerContext) async throws
        -> Product_V1_Location
    {
        .init(try await locations.create(name: request.name, address: request.address, accessCode: request.accessCode))
    }

    public func updateLocation(request: Product_V1_UpdateLocationRequest, context: ServerContext) async throws
        -> Product_V1_Location
    {
        let change = LocationChange(
            name: request.hasName ? request.name : nil, address: request.hasAddress ? request.address : nil,
            accessCode: request.hasAccessCode ? request.accessCode : nil, active: request.hasActive ? request.active : nil)
        return .init(try await locations.update(request.id, change))
    }

    public func deactivateLocation(request: Product_V1_DeactivateLocationRequest, context: ServerContext) async throws
        -> Product_V1_Location
    {
        .init(try await locations.deactivate(request.id))
    }

    public func verifyLocationAccess(request: Product_V1_VerifyLocationAccessRequest, context: ServerContext) async throws
        -> Product_V1_Location
    {
        .init(try await locations.verifyAccess(location: request.locationID, code: request.accessCode))
    }

    // MARK: Stock

    public func getStock(request: Product_V1_GetStockRequest, context: ServerContext) async throws -> Product_V1_StockResponse {
        let lines = try await stock.stock(at: request.locationID, lowOnly: request.lowOnly, by: Requester(request.caller))
        return response(lines)
    }

    public func restock(request: Product_V1_RestockRequest, context: ServerContext) async throws -> Product_V1_StockResponse {
        let lines = try await stock.restock(
            at: request.locationID, request.items.map { ($0.productID, $0.quantity) }, by: Requester(request.caller))
        return response(lines)
    }

    public func adjustStock(request: Product_V1_AdjustStockRequest, context: ServerContext) async throws -> Product_V1_StockLine {
        let line = try await stock.adjust(
            at: request.locationID, product: request.productID, delta: request.delta, reason: request.reason,
            by: Requester(request.caller))
        return .init(line, threshold: stock.lowStockThreshold)
    }

    public func listMovements(request: Product_V1_ListMovementsRequest, context: ServerContext) async throws
        -> Product_V1_ListMovementsResponse
    {
        let page = try await stock.movements(
            at: request.locationID, product: request.productID, paging: try PageRequest(request.page),
            by: Requester(request.caller))
        return .with {
            $0.movements = page.items.map { movement in
                .with {
                    $0.id = movement.id
                    $0.kind = movement.kind.rawValue
                    $0.delta = movement.delta
                    $0.quantityAfter = movement.quantityAfter
                    $0.reason = movement.reason
                    $0.orderID = movement.orderID?.lowercasedString ?? ""
                    $0.createdAt = .init(date: movement.createdAt)
                }
            }
            $0.page = .init(page)
        }
    }

    // MARK: Orders

    public func createOrder(request: Product_V1_CreateOrderRequest, context: ServerContext) async throws -> Product_V1_Order {
        let (order, _) = try await orders.create(
            locationID: request.locationID.nonEmpty, items: request.items.map { ($0.productID, $0.quantity) },
            paymentToken: request.paymentToken.nonEmpty, idempotencyKey: request.idempotencyKey.nonEmpty,
            by: Requester(request.caller))
        return .init(order)
    }

    public func listOrders(request: Product_V1_ListOrdersRequest, context: ServerContext) async throws
        -> Product_V1_ListOrdersResponse
    {
        let page = try await orders.list(
            status: request.status.nonEmpty, locationID: request.locationID.nonEmpty, paging: try PageRequest(request.page),
            by: Requester(request.caller))
        return .with {
            $0.orders = page.items.map(Product_V1_Order.init)
            $0.page = .init(page)
        }
    }

    public func getOrder(request: Product_V1_GetOrderRequest, context: ServerContext) async throws -> Product_V1_Order {
        .init(try await orders.order(request.id, by: Requester(request.caller)))
    }

    public func cancelOrder(request: Product_V1_CancelOrderRequest, context: ServerContext) async throws -> Product_V1_Order {
        .init(try await orders.cancel(request.id, by: Requester(request.caller)))
    }

    public func refundOrder(request: Product_V1_RefundOrderRequest, context: ServerContext) async throws -> Product_V1_Order {
        .init(try await orders.refund(request.id))
    }

    // MARK: History

    public func streamSales(
        request: Product_V1_StreamSalesRequest, response: RPCWriter<Product_V1_Sale>, context: ServerContext
    ) async throws {
        try await orders.forEachSale { order, locationName in
            try await response.write(
                .with {
                    $0.orderID = order.id.lowercasedString
                    $0.locationID = order.locationID.lowercasedString
                    $0.locationName = locationName
                    $0.lines = Product_V1_Order(order).items
                    $0.totalCents = order.totalCents
                    $0.currency = order.currency
                    $0.paidAt = .init(date: order.paidAt ?? order.createdAt)
                    $0.refunded = order.status == .refunded
                })
        }
    }

    private func response(_ lines: [StockLine]) -> Product_V1_StockResponse {
        .with { $0.items = lines.map { Product_V1_StockLine($0, threshold: stock.lowStockThreshold) } }
    }
}

extension Product_V1_Product {
    init(_ product: Product) {
        self = .with {
            $0.id = product.id.lowercasedString
            $0.name = product.name
            $0.category = product.category
            $0.description_p = product.description
            $0.priceCents = product.priceCents
            $0.currency = product.currency
            $0.active = product.active
            $0.createdAt = .init(date: product.createdAt)
            $0.updatedAt = .init(date: product.updatedAt)
        }
    }
}

extension Product_V1_Location {
    init(_ location: Location) {
        self = .with {
            $0.id = location.id.lowercasedString
            $0.name = location.name
            $0.address = location.address
            $0.active = location.active
            $0.createdAt = .init(date: location.createdAt)
        }
    }
}

extension Product_V1_StockLine {
    init(_ line: StockLine, threshold: Int64) {
        self = .with {
            $0.productID = line.productID.lowercasedString
            $0.productName = line.productName
            $0.category = line.category
            $0.quantity = line.quantity
            $0.lowStock = line.quantity < threshold
            if let restockedAt = line.restockedAt { $0.restockedAt = .init(date: restockedAt) }
        }
    }
}

extension Product_V1_Order {
    init(_ order: Order) {
        self = .with {
            $0.id = order.id.lowercasedString
            $0.userID = order.userID?.lowercasedString ?? ""
            $0.locationID = order.locationID.lowercasedString
            $0.status = order.status.rawValue
            $0.items = order.lines.map { line in
                .with {
                    $0.productID = line.productID.lowercasedString
                    $0.name = line.name
                    $0.category = line.category
                    $0.quantity = line.quantity
                    $0.unitPriceCents = line.unitPriceCents
                    $0.lineTotalCents = line.lineTotalCents
                }
            }
            $0.totalCents = order.totalCents
            $0.currency = order.currency
            if let payment = order.payment {
                $0.payment = .with {
                    $0.status = payment.status.rawValue
                    $0.amountCents = payment.amountCents
                    $0.reference = payment.reference ?? ""
                    $0.failureReason = payment.failureReason ?? ""
                }
            }
            $0.createdAt = .init(date: order.createdAt)
            $0.updatedAt = .init(date: order.updatedAt)
        }
    }
}
