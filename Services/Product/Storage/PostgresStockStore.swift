import DatabaseKit
import FoundationEssentials
import PlatformCore
import Postgres

/// Stock per café on product's Postgres database.
public struct PostgresStockStore: StockStore {
    private let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    public func stock(at location: UUID) async throws -> [StockLine] {
        try await client.query(
            """
            SELECT p.id, p.name, p.category, coalesce(s.quantity, 0) AS quantity, s.restocked_at
            FROM products p LEFT JOIN stock s ON s.product_id = p.id AND s.location_id = $1
            WHERE p.active ORDER BY p.category, lower(p.name), p.id
            """,
            [.uuid(location)]
        ).map(Self.line)
    }

    public func restock(at location: UUID, _ lines: [(productID: UUID, quantity: Int64)], at time: Date) async throws
        -> [StockLine]
    {
        try await client.transaction { connection in
            let active = try Self.activeProducts(connection, lines.map(\.productID))
            var problems: [String: String] = [:]
            for (index, line) in lines.enumerated() where !active.contains(line.productID) {
                problems["items.\(index).product_id"] = "is not an active product"
            }
            guard problems.isEmpty else { throw AppError(.invalidArgument, "the restock is not valid", details: problems) }
            _ = try StockLedger.lock(connection, location: location, products: lines.map(\.productID))
            for line in lines {
                _ = try StockLedger.apply(
                    connection, location: location, product: line.productID, delta: line.quantity, kind: .restock, at: time)
            }
            return try Self.lines(connection, location: location, products: lines.map(\.productID))
        }
    }

    public func adjust(at location: UUID, product: UUID, delta: Int64, reason: AdjustmentReason, at time: Date) async throws
        -> StockLine
    {
        try await client.transaction { connection in
            guard try Self.activeProducts(connection, [product]).contains(product) else {
                throw AppError(.notFound, "no such product")
            }
            guard
                try StockLedger.apply(
                    connection, location: location, product: product, delta: delta, kind: .adjustment, reason: reason.rawValue,
                    at: time) != nil
            else {
                throw AppError(.failedPrecondition, "the stock would go below zero", details: ["delta": "more than is in stock"])
            }
            guard let line = try Self.lines(connection, location: location, products: [product]).first else {
                throw AppError(.notFound, "no such product")
            }
            return line
        }
    }

    public func movements(at location: UUID, product: UUID, paging: PageRequest) async throws -> Page<StockMovement> {
        let rows = try await client.query(
            """
            SELECT id, kind, delta, quantity_after, reason, order_id, created_at, count(*) OVER () AS total
            FROM stock_movements WHERE location_id = $1 AND product_id = $2
            ORDER BY id DESC LIMIT $3 OFFSET $4
            """,
            [.uuid(location), .uuid(product), .int(Int64(paging.size)), .int(Int64(paging.offset))])
        let total: Int
        if let first = rows.first {
            total = try first.required("total", first.int)
        } else {
            total = try await client.query(
                "SELECT count(*) AS total FROM stock_movements WHERE location_id = $1 AND product_id = $2",
                [.uuid(location), .uuid(product)]
            ).first?.int("total") ?? 0
        }
        let movements = try rows.map { row in
            StockMovement(
                id: Int64(try row.required("id", row.int)),
                kind: try row.required("kind") { try row.string($0).flatMap(StockMovement.Kind.init(rawValue:)) },
                delta: Int64(try row.required("delta", row.int)), quantityAfter: Int64(try row.required("quantity_after", row.int)),
                reason: try row.required("reason", row.string), orderID: try row.uuid("order_id"),
                createdAt: try row.required("created_at", row.date))
        }
        return Page(items: movements, request: paging, total: total)
    }

    static func activeProducts(_ connection: PostgresConnection, _ ids: [UUID]) throws -> Set<UUID> {
        Set(
            try connection.query(
                "SELECT id FROM products WHERE active AND id = ANY($1::uuid[])", [.string(StockLedger.uuidArray(ids))]
            ).map { try $0.required("id", $0.uuid) })
    }

    static func lines(_ connection: PostgresConnection, location: UUID, products: [UUID]) throws -> [StockLine] {
        try connection.query(
            """
            SELECT p.id, p.name, p.category, coalesce(s.quantity, 0) AS quantity, s.restocked_at
            FROM products p LEFT JOIN stock s ON s.product_id = p.id AND s.location_id = $1
            WHERE p.id = ANY($2::uuid[]) ORDER BY p.category, lower(p.name), p.id
            """,
            [.uuid(location), .string(StockLedger.uuidArray(products))]
        ).map(line)
    }

    static func line(_ row: SQLRow) throws -> StockLine {
        StockLine(
            productID: try row.required("id", row.uuid), productName: try row.required("name", row.string),
            category: try row.required("category", row.string), quantity: Int64(try row.required("quantity", row.int)),
            restockedAt: try row.date("restocked_at"))
    }
}
