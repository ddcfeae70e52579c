import FoundationEssentials
import PlatformCore

/// The menu: products with server-side prices, listed publicly (active ones), managed by staff.
public struct MenuRegistry: Sendable {
    public static let nameLimit = TextLimit(characters: 100)
    public static let categoryLimit = TextLimit(characters: 50)
    public static let descriptionLimit = TextLimit(characters: 2_000)
    public static let prices: ClosedRange<Int64> = 1...1_000_000

    private let store: any CatalogStore
    private let currency: String
    private let now: @Sendable () -> Date

    public init(store: any CatalogStore, currency: String, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.currency = currency
        self.now = now
    }

    public func list(_ query: ProductQuery, by requester: Requester) async throws -> Page<Product> {
        if query.includeInactive && !requester.isStaff {
            throw AppError(.permissionDenied, "only staff and admins see inactive products")
        }
        return try await store.products(query)
    }

    /// An inactive product is not found, except by staff and admins.
    public func product(_ id: String, by requester: Requester) async throws -> Product {
        guard let id = UUID(uuidString: id), let product = try await store.product(id: id),
            product.active || requester.isStaff
        else { throw Self.notFound }
        return product
    }

    public func categories() async throws -> [CategoryCount] { try await store.categories() }

    public func create(name: String, category: String, description: String, priceCents: Int64) async throws -> Product {
        let change = try Self.checked(
            ProductChange(name: name, category: category, description: description, priceCents: priceCents), creating: true)
        let time = now()
        let product = Product(
            id: UUID(), name: change.name ?? "", category: change.category ?? "", description: change.description ?? "",
            priceCents: priceCents, currency: currency, active: true, createdAt: time, updatedAt: time)
        do {
            try await store.insert(product)
        } catch let error as AppError where error.code == .alreadyExists {
            throw Self.nameTaken
        }
        return product
    }

    public func update(_ id: String, _ change: ProductChange) async throws -> Product {
        let change = try Self.checked(change, creating: false)
        guard let id = UUID(uuidString: id) else { throw Self.notFound }
        do {
            guard let product = try await store.update(id: id, change, at: now()) else { throw Self.notFound }
            return product
        } catch let error as AppError where error.code == .alreadyExists {
            throw Self.nameTaken
        }
    }

    public func deactivate(_ id: String) async throws -> Product {
        try await update(id, ProductChange(active: false))
    }

    /// Trimmed fields, or 422 naming every bad one.
    static func checked(_ change: ProductChange, creating: Bool) throws(AppError) -> ProductChange {
        var checked = change
        var problems: [String: String] = [:]
        checked.name = change.name?.trimmingWhitespace()
        checked.category = change.category?.trimmingWhitespace()
        checked.description = change.description?.trimmingWhitespace()
        if let name = checked.name, let problem = nameLimit.problem(with: name) { problems["name"] = problem }
        if let category = checked.category, let problem = categoryLimit.problem(with: category) { problems["category"] = problem }
        if let description = checked.description, let problem = descriptionLimit.problem(with: description, required: false) {
            problems["description"] = problem
        }
        if let price = change.priceCents, !prices.contains(price) {
            problems["price_cents"] = "must be between \(prices.lowerBound) and \(prices.upperBound)"
        }
        if creating {
            for (field, value) in [("name", change.name), ("category", change.category)] where value == nil {
                problems[field] = "is required"
            }
            if change.priceCents == nil { problems["price_cents"] = "is required" }
        }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the product is not valid", details: problems) }
        return checked
    }

    static let notFound = AppError(.notFound, "no such product")
    static let nameTaken = AppError(.alreadyExists, "an active product has this name", details: ["name": "is taken"])
}
