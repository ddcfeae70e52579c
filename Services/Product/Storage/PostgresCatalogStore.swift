import DatabaseKit
import EventKit
import FoundationEssentials
import PlatformCore
import Postgres
import ServicePostgres

/// The menu and the cafés on product's Postgres database.
public struct PostgresCatalogStore: CatalogStore {
    private let client: PostgresClient
    static let productColumns = "id, name, category, description, price_cents, currency, active, created_at, updated_at"
    /// Never the access code's hash.
    static let locationColumns = "id, name, address, active, created_at"

    public init(client: PostgresClient) { self.client = client }

    public func products(_ query: ProductQuery) async throws -> Page<Product> {
        let pattern = query.search.map(SQLValue.containing) ?? .null
        let rows = try await client.query(
            """
            SELECT \(Self.productColumns), count(*) OVER () AS total FROM products
            WHERE ($1 OR active)
              AND ($2::text IS NULL OR name ILIKE $2 ESCAPE '\\' OR description ILIKE $2 ESCAPE '\\')
              AND ($3::text IS NULL OR category = $3)
            ORDER BY lower(name), id LIMIT $4 OFFSET $5
            """,
            [.bool(query.includeInactive), pattern, SQLValue(query.category), .int(Int64(query.paging.size)),
             .int(Int64(query.paging.offset))])
        var total = try rows.first.map { try $0.required("total", $0.int) } ?? 0
        if rows.isEmpty && query.paging.page > 1 {
            // Past the last page: count separately so the client still learns the total.
            var first = query
            first.paging = try PageRequest(page: 1, size: 1)
            total = try await products(first).total
        }
        return Page(items: try rows.map(Self.product), request: query.paging, total: total)
    }

    public func product(id: UUID) async throws -> Product? {
        try await client.query("SELECT \(Self.productColumns) FROM products WHERE id = $1", [.uuid(id)]).first.map(Self.product)
    }

    public func categories() async throws -> [CategoryCount] {
        try await client.query(
            "SELECT category, count(*) AS products FROM products WHERE active GROUP BY category ORDER BY category"
        ).map { CategoryCount(name: try $0.required("category", $0.string), productCount: try $0.required("products", $0.int)) }
    }

    public func insert(_ product: Product) async throws {
        try await Self.mappingTakenName {
            try await client.execute(
                "INSERT INTO products (\(Self.productColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                [.uuid(product.id), .string(product.name), .string(product.category), .string(product.description),
                 .int(product.priceCents), .string(product.currency), .bool(product.active), .date(product.createdAt),
                 .date(product.updatedAt)])
        }
    }

    public func update(id: UUID, _ change: ProductChange, at time: Date) async throws -> Product? {
        try await Self.mappingTakenName {
            try await client.query(
                """
                UPDATE products SET name = coalesce($2, name), category = coalesce($3, category),
                    description = coalesce($4, description), price_cents = coalesce($5, price_cents),
                    active = coalesce($6, active), updated_at = $7
                WHERE id = $1 RETURNING \(Self.productColumns)
                """,
                [.uuid(id), SQLValue(change.name), SQLValue(change.category), SQLValue(change.description),
                 change.priceCents.map(SQLValue.int) ?? .null, SQLValue(change.active), .date(time)]
            ).first.map(Self.product)
        }
    }

    public func locations() async throws -> [Location] {
        try await client.query("SELECT \(Self.locationColumns) FROM locations ORDER BY active DESC, lower(name), id")
            .map(Self.location)
    }

    public func location(id: UUID) async throws -> Location? {
        try await client.query("SELECT \(Self.locationColumns) FROM locations WHERE id = $1", [.uuid(id)]).first
            .map(Self.location)
    }

    public func insert(_ location: Location, accessCodeHash: String) async throws {
        try await client.execute(
            """
            INSERT INTO locations (id, name, address, access_code_hash, active, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            """,
            [.uuid(location.id), .string(location.name), .string(location.address), .string(accessCodeHash),
             .bool(location.active), .date(location.createdAt)])
    }

    public func update(
        id: UUID, _ change: LocationChange, accessCodeHash: String?, at time: Date,
        accessChanged: @escaping @Sendable (Location) throws -> DomainEvent
    ) async throws -> Location? {
        try await client.transaction { connection in
            guard let before = try connection.query(
                "SELECT \(Self.locationColumns) FROM locations WHERE id = $1 FOR UPDATE", [.uuid(id)]
            ).first.map(Self.location)
            else { return nil }
            guard let after = try connection.query(
                """
                UPDATE locations SET name = coalesce($2, name), address = coalesce($3, address),
                    access_code_hash = coalesce($4, access_code_hash), active = coalesce($5, active), updated_at = $6
                WHERE id = $1 RETURNING \(Self.locationColumns)
                """,
                [.uuid(id), SQLValue(change.name), SQLValue(change.address), SQLValue(accessCodeHash), SQLValue(change.active),
                 .date(time)]
            ).first.map(Self.location)
            else { return nil }
            if accessCodeHash != nil || (before.active && !after.active) {
                try connection.appendToOutbox(try accessChanged(after))
            }
            return after
        }
    }

    public func accessCodeHash(of id: UUID) async throws -> (location: Location, hash: String)? {
        try await client.query(
            "SELECT \(Self.locationColumns), access_code_hash FROM locations WHERE id = $1", [.uuid(id)]
        ).first.map { (try Self.location($0), try $0.required("access_code_hash", $0.string)) }
    }

    /// A unique-name violation is the domain's "already exists".
    static func mappingTakenName<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            throw AppError(.alreadyExists, "an active product has this name")
        }
    }

    static func product(_ row: SQLRow) throws -> Product {
        Product(
            id: try row.required("id", row.uuid), name: try row.required("name", row.string),
            category: try row.required("category", row.string), description: try row.required("description", row.string),
            priceCents: Int64(try row.required("price_cents", row.int)), currency: try row.required("currency", row.string),
            active: try row.required("active", row.bool), createdAt: try row.required("created_at", row.date),
            updatedAt: try row.required("updated_at", row.date))
    }

    static func location(_ row: SQLRow) throws -> Location {
        Location(
            id: try row.required("id", row.uuid), name: try row.required("name", row.string),
            address: try row.required("address", row.string), active: try row.required("active", row.bool),
            createdAt: try row.required("created_at", row.date))
    }
}
