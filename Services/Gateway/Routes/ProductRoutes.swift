import Contracts
import PlatformAPI
import PlatformCore

/// `/api/products`, `/api/categories`: the menu, public to read (a token, when sent, lets staff
/// see inactive products), staff and admins to change.
extension GatewayAPI {
    func listProducts(_ input: Operations.ListProducts.Input) async throws -> Operations.ListProducts.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        let includeInactive = query.bool(input.query.includeInactive, "include_inactive")
        try query.check()
        let result = try await peers.products.listProducts(
            .with {
                $0.caller = .current
                if let paging { $0.page = .init(paging) }
                $0.search = input.query.search ?? ""
                $0.category = input.query.category ?? ""
                $0.includeInactive = includeInactive ?? false
            })
        let items = result.products.map(Components.Schemas.Product.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }

    func getProduct(_ input: Operations.GetProduct.Input) async throws -> Operations.GetProduct.Output {
        let product = try await peers.products.getProduct(
            .with {
                $0.caller = .current
                $0.id = input.path.id
            })
        return .ok(.init(body: .json(.init(product))))
    }

    func listCategories(_ input: Operations.ListCategories.Input) async throws -> Operations.ListCategories.Output {
        let result = try await peers.products.listCategories(.init())
        let items = result.categories.map { Components.Schemas.Category(name: $0.name, productCount: Int($0.productCount)) }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func createProduct(_ input: Operations.CreateProduct.Input) async throws -> Operations.CreateProduct.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let product = try await peers.products.createProduct(
            .with {
                $0.name = body.name ?? ""
                $0.category = body.category ?? ""
                $0.description_p = body.description ?? ""
                $0.priceCents = body.priceCents ?? 0
            })
        return .created(.init(body: .json(.init(product))))
    }

    func updateProduct(_ input: Operations.UpdateProduct.Input) async throws -> Operations.UpdateProduct.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let product = try await peers.products.updateProduct(
            .with {
                $0.id = input.path.id
                if let name = body.name { $0.name = name }
                if let category = body.category { $0.category = category }
                if let description = body.description { $0.description_p = description }
                if let price = body.priceCents { $0.priceCents = price }
                if let active = body.active { $0.active = active }
            })
        return .ok(.init(body: .json(.init(product))))
    }

    func deactivateProduct(_ input: Operations.DeactivateProduct.Input) async throws -> Operations.DeactivateProduct.Output {
        _ = try await peers.products.deactivateProduct(.with { $0.id = input.path.id })
        return .noContent(.init())
    }
}
