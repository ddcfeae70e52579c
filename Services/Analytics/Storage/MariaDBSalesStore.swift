import DatabaseKit
import EventKit
import FoundationEssentials
import MariaDB
import ServiceMariaDB

/// Sales facts and daily rollups on analytics' MariaDB database. Each order's sale and refund
/// meet on its `sales` row (inserted first, the loser waits on the key and then locks the row),
/// so they apply once each and in either order; rollup rows are written in one key order, so
/// concurrent sales do not deadlock on them (and a deadlock the server reports anyway is retried);
/// a rebuild's reset excludes them all for its transaction (`rebuild_fence`).
public struct MariaDBSalesStore: SalesStore {
    private let client: MariaDBClient
    static let deadlockRetries = 3

    public init(client: MariaDBClient) { self.client = client }

    public func record(_ sale: Sale, cause: ReceivedEvent?) async throws -> Bool {
        try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { connection in
            try Self.passFence(connection)
            if let cause, try !connection.recordInInbox(eventID: cause.id, eventType: cause.type) { return false }
            let day = Day(sale.paidAt)
            do {
                try connection.execute(
                    "INSERT INTO sales (order_id, location_id, location_name, total_cents, paid_at) VALUES (?, ?, ?, ?, ?)",
                    [.uuid(sale.orderID), .uuid(sale.locationID), .string(sale.locationName), .int(sale.totalCents),
                     .date(sale.paidAt)])
            } catch let error as DatabaseError where error.kind == .uniqueViolation {
                // Counted before, or refunded first: then the facts are kept, uncounted.
                guard
                    let row = try connection.query(
                        "SELECT paid_at FROM sales WHERE order_id = ? FOR UPDATE", [.uuid(sale.orderID)]
                    ).first, try row.isNull("paid_at")
                else { return false }
                try connection.execute(
                    "UPDATE sales SET location_id = ?, location_name = ?, total_cents = ?, paid_at = ? WHERE order_id = ?",
                    [.uuid(sale.locationID), .string(sale.locationName), .int(sale.totalCents), .date(sale.paidAt),
                     .uuid(sale.orderID)])
                try Self.insertLines(of: sale, connection)
                return false
            }
            try Self.insertLines(of: sale, connection)
            try Self.upsert(
                "INSERT INTO location_names (location_id, name)", "name = VALUES(name)",
                [[.uuid(sale.locationID), .string(sale.locationName)]], connection)
            try Self.upsert(
                "INSERT INTO product_names (product_id, name)", "name = VALUES(name)",
                Self.byProduct(sale.lines).map { [.uuid($0.productID), .string($0.productName)] }, connection)
            try Self.applyRollups(
                day: day, location: sale.locationID, total: sale.totalCents, orders: 1,
                lines: sale.lines.map { ($0.productID, $0.category, $0.quantity, $0.lineTotalCents) }, connection)
            return true
        }
    }

    public func refund(order: UUID, at time: Date, cause: ReceivedEvent?) async throws {
        try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { connection in
            try Self.passFence(connection)
            if let cause, try !connection.recordInInbox(eventID: cause.id, eventType: cause.type) { return }
            do {
                // Before its sale: the row keeps the sale from counting when it comes.
                try connection.execute("INSERT INTO sales (order_id, refunded_at) VALUES (?, ?)", [.uuid(order), .date(time)])
                return
            } catch let error as DatabaseError where error.kind == .uniqueViolation {}
            guard
                let sale = try connection.query(
                    "SELECT location_id, total_cents, paid_at, refunded_at FROM sales WHERE order_id = ? FOR UPDATE", [.uuid(order)]
                ).first,
                try sale.isNull("refunded_at"), let paidAt = try sale.date("paid_at"), let location = try sale.uuid("location_id")
            else { return }
            try connection.execute("UPDATE sales SET refunded_at = ? WHERE order_id = ?", [.date(time), .uuid(order)])
            let lines = try connection.query(
                "SELECT product_id, category, quantity, line_total_cents FROM sale_lines WHERE order_id = ?", [.uuid(order)]
            ).map { row in
                (try row.required("product_id", row.uuid), try row.required("category", row.string),
                 -Int64(try row.required("quantity", row.int)), -Int64(try row.required("line_total_cents", row.int)))
            }
            try Self.applyRollups(
                day: Day(paidAt), location: location, total: -Int64(try sale.required("total_cents", sale.int)), orders: -1,
                lines: lines, connection)
        }
    }

    public func reset() async throws {
        try await client.transaction { connection in
            _ = try connection.query("SELECT id FROM rebuild_fence WHERE id = 1 FOR UPDATE")
            for table in [
                "sale_lines", "sales", "location_names", "product_names", "daily_location_sales", "daily_product_sales",
                "monthly_product_sales", "daily_category_sales",
            ] {
                try connection.execute("DELETE FROM \(table)")
            }
        }
    }

    // MARK: Queries

    public func locationSales(_ days: ClosedRange<Day>) async throws -> [LocationSales] {
        try await client.query(
            """
            SELECT d.location_id, coalesce(n.name, '') AS name, sum(d.sales_cents) AS sales, sum(d.order_count) AS orders
            FROM daily_location_sales d LEFT JOIN location_names n ON n.location_id = d.location_id
            WHERE d.day BETWEEN ? AND ? GROUP BY d.location_id, n.name HAVING sum(d.order_count) > 0
            """,
            Self.bounds(days)
        ).map { row in
            LocationSales(
                locationID: try row.required("location_id", row.uuid), name: try row.required("name", row.string),
                salesCents: Int64(try row.required("sales", row.int)), orderCount: Int64(try row.required("orders", row.int)))
        }
    }

    public func dailySales(_ days: ClosedRange<Day>) async throws -> [DailySales] {
        try await client.query(
            "SELECT day, location_id, sales_cents FROM daily_location_sales WHERE day BETWEEN ? AND ? AND order_count > 0",
            Self.bounds(days)
        ).map { row in
            DailySales(
                day: try row.required("day") { try row.string($0).flatMap(Day.init) },
                locationID: try row.required("location_id", row.uuid), salesCents: Int64(try row.required("sales_cents", row.int)))
        }
    }

    public func productQuantities(_ days: ClosedRange<Day>) async throws -> [UUID: [ProductQuantity]] {
        let rows = try await client.query(
            """
            SELECT q.location_id, q.product_id, coalesce(n.name, '') AS name, q.quantity
            FROM (SELECT location_id, product_id, sum(quantity) AS quantity FROM daily_product_sales
                  WHERE day BETWEEN ? AND ? GROUP BY location_id, product_id) q
            LEFT JOIN product_names n ON n.product_id = q.product_id
            WHERE q.quantity > 0
            """,
            Self.bounds(days))
        var byLocation: [UUID: [ProductQuantity]] = [:]
        for row in rows {
            byLocation[try row.required("location_id", row.uuid), default: []].append(try Self.quantity(row))
        }
        return byLocation
    }

    public func topProducts(in month: Month, limit: Int) async throws -> [ProductQuantity] {
        try await client.query(
            """
            SELECT m.product_id, coalesce(n.name, '') AS name, m.quantity
            FROM monthly_product_sales m LEFT JOIN product_names n ON n.product_id = m.product_id
            WHERE m.month = ? AND m.quantity > 0 ORDER BY m.quantity DESC, CAST(name AS BINARY), m.product_id LIMIT ?
            """,
            [.string(month.firstDay.description), .int(Int64(limit))]
        ).map(Self.quantity)
    }

    public func categorySales(_ days: ClosedRange<Day>) async throws -> [CategorySales] {
        try await client.query(
            """
            SELECT category, sum(sales_cents) AS sales FROM daily_category_sales WHERE day BETWEEN ? AND ?
            GROUP BY category HAVING sum(sales_cents) <> 0
            """,
            Self.bounds(days)
        ).map { row in
            CategorySales(
                category: try row.required("category", row.string), salesCents: Int64(try row.required("sales", row.int)), sharePct: 0)
        }
    }

    public func monthlySales() async throws -> [MonthlySales] {
        try await client.query(
            """
            SELECT year(day) AS year, month(day) AS month, location_id, sum(sales_cents) AS sales
            FROM daily_location_sales GROUP BY year(day), month(day), location_id HAVING sum(order_count) > 0
            """
        ).map { row in
            MonthlySales(
                month: try row.required("month") { _ in
                    try Month(year: row.required("year", row.int), month: row.required("month", row.int))
                },
                locationID: try row.required("location_id", row.uuid), salesCents: Int64(try row.required("sales", row.int)))
        }
    }

    public func locationNames() async throws -> [UUID: String] {
        Dictionary(
            uniqueKeysWithValues: try await client.query("SELECT location_id, name FROM location_names").map {
                (try $0.required("location_id", $0.uuid), try $0.required("name", $0.string))
            })
    }

    // MARK: Writing

    /// Sales and refunds share the fence; a reset takes it alone (`rebuild_fence`).
    static func passFence(_ connection: MariaDBConnection) throws {
        _ = try connection.query("SELECT id FROM rebuild_fence WHERE id = 1 LOCK IN SHARE MODE")
    }

    /// Adds a sale (or, with negative amounts, takes one back) to the day's rollups. Rows are
    /// written in key order.
    static func applyRollups(
        day: Day, location: UUID, total: Int64, orders: Int64, lines: [(product: UUID, category: String, quantity: Int64, cents: Int64)],
        _ connection: MariaDBConnection
    ) throws {
        let date = SQLValue.string(day.description)
        try upsert(
            "INSERT INTO daily_location_sales (day, location_id, sales_cents, order_count)",
            "sales_cents = sales_cents + VALUES(sales_cents), order_count = order_count + VALUES(order_count)",
            [[date, .uuid(location), .int(total), .int(orders)]], connection)
        var products: [UUID: (quantity: Int64, cents: Int64)] = [:]
        var categories: [String: Int64] = [:]
        for line in lines {
            products[line.product, default: (0, 0)].quantity += line.quantity
            products[line.product, default: (0, 0)].cents += line.cents
            categories[line.category, default: 0] += line.cents
        }
        try upsert(
            "INSERT INTO daily_product_sales (day, location_id, product_id, quantity, sales_cents)",
            "quantity = quantity + VALUES(quantity), sales_cents = sales_cents + VALUES(sales_cents)",
            products.sorted { $0.key.uuidString < $1.key.uuidString }.map {
                [date, .uuid(location), .uuid($0.key), .int($0.value.quantity), .int($0.value.cents)]
            }, connection)
        try upsert(
            "INSERT INTO monthly_product_sales (month, product_id, quantity)", "quantity = quantity + VALUES(quantity)",
            products.sorted { $0.key.uuidString < $1.key.uuidString }.map {
                [.string(day.month.firstDay.description), .uuid($0.key), .int($0.value.quantity)]
            }, connection)
        try upsert(
            "INSERT INTO daily_category_sales (day, category, sales_cents)",
            "sales_cents = sales_cents + VALUES(sales_cents)",
            categories.sorted { $0.key < $1.key }.map { [date, .string($0.key), .int($0.value)] }, connection)
    }

    /// `insert` (`INSERT INTO table (columns)`) of every row at once, `update` for the rows that exist.
    static func upsert(_ insert: String, _ update: String, _ rows: [[SQLValue]], _ connection: MariaDBConnection) throws {
        guard let width = rows.first?.count else { return }
        let row = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        try connection.execute(
            "\(insert) VALUES " + Array(repeating: row, count: rows.count).joined(separator: ", ") + " ON DUPLICATE KEY UPDATE \(update)",
            rows.flatMap { $0 })
    }

    static func insertLines(of sale: Sale, _ connection: MariaDBConnection) throws {
        guard !sale.lines.isEmpty else { return }
        let placeholders = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: sale.lines.count).joined(separator: ", ")
        try connection.execute(
            """
            INSERT INTO sale_lines (order_id, line, location_id, product_id, product_name, category, quantity, unit_price_cents,
                line_total_cents, paid_at) VALUES \(placeholders)
            """,
            sale.lines.enumerated().flatMap { index, line -> [SQLValue] in
                [.uuid(sale.orderID), .int(Int64(index)), .uuid(sale.locationID), .uuid(line.productID), .string(line.productName),
                 .string(line.category), .int(line.quantity), .int(line.unitPriceCents), .int(line.lineTotalCents), .date(sale.paidAt)]
            })
    }

    /// One line per product (the names of the last line win), in product order.
    static func byProduct(_ lines: [Sale.Line]) -> [Sale.Line] {
        Dictionary(lines.map { ($0.productID, $0) }, uniquingKeysWith: { _, last in last }).values
            .sorted { $0.productID.uuidString < $1.productID.uuidString }
    }

    static func bounds(_ days: ClosedRange<Day>) -> [SQLValue] {
        [.string(days.lowerBound.description), .string(days.upperBound.description)]
    }

    static func quantity(_ row: SQLRow) throws -> ProductQuantity {
        ProductQuantity(
            productID: try row.required("product_id", row.uuid), name: try row.required("name", row.string),
            quantity: Int64(try row.required("quantity", row.int)))
    }
}
