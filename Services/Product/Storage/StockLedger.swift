import DatabaseKit
import FoundationEssentials
import Postgres

/// The one way product's stock quantities change, inside a caller's transaction: the row is
/// created at 0 on first use, the quantity never goes below zero, and every change is a movement.
enum StockLedger {
    /// Adds `delta`; nil (and nothing changed) when the quantity would go below zero.
    static func apply(
        _ connection: PostgresConnection, location: UUID, product: UUID, delta: Int64, kind: StockMovement.Kind,
        reason: String = "", order: UUID? = nil, at time: Date
    ) throws -> Int64? {
        try ensureRows(connection, location: location, products: [product])
        guard
            let row = try connection.query(
                """
                UPDATE stock SET quantity = quantity + $3,
                    restocked_at = CASE WHEN $4 THEN $5 ELSE restocked_at END
                WHERE location_id = $1 AND product_id = $2 AND quantity + $3 >= 0 RETURNING quantity
                """,
                [.uuid(location), .uuid(product), .int(delta), .bool(kind == .restock), .date(time)]
            ).first
        else { return nil }
        let quantity = Int64(try row.required("quantity", row.int))
        try connection.execute(
            """
            INSERT INTO stock_movements (location_id, product_id, kind, delta, quantity_after, reason, order_id, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            [.uuid(location), .uuid(product), .string(kind.rawValue), .int(delta), .int(quantity), .string(reason),
             SQLValue(order), .date(time)])
        return quantity
    }

    /// Creates the missing stock rows (quantity 0) of `products` at `location`.
    static func ensureRows(_ connection: PostgresConnection, location: UUID, products: [UUID]) throws {
        try connection.execute(
            """
            INSERT INTO stock (location_id, product_id, quantity)
            SELECT $1, unnest($2::uuid[]), 0 ON CONFLICT (location_id, product_id) DO NOTHING
            """,
            [.uuid(location), .string(uuidArray(products))])
    }

    /// Locks the stock rows of `products` at `location` in one order (concurrent orders of
    /// several lines cannot deadlock) and returns their quantities.
    static func lock(_ connection: PostgresConnection, location: UUID, products: [UUID]) throws -> [UUID: Int64] {
        try ensureRows(connection, location: location, products: products)
        let rows = try connection.query(
            """
            SELECT product_id, quantity FROM stock WHERE location_id = $1 AND product_id = ANY($2::uuid[])
            ORDER BY product_id FOR UPDATE
            """,
            [.uuid(location), .string(uuidArray(products))])
        return Dictionary(uniqueKeysWithValues: try rows.map {
            (try $0.required("product_id", $0.uuid), Int64(try $0.required("quantity", $0.int)))
        })
    }

    static func uuidArray(_ ids: [UUID]) -> String { "{" + ids.map(\.uuidString).joined(separator: ",") + "}" }
}
