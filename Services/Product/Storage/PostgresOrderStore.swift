import DatabaseKit
import EventKit
import FoundationEssentials
import PlatformCore
import Postgres
import ServicePostgres

/// Orders on product's Postgres database. Creating one and every later change of its state lock
/// the rows they touch, so the stock, the order and its events always commit together.
public struct PostgresOrderStore: OrderStore {
    private let client: PostgresClient
    /// How long an Idempotency-Key returns the order it created.
    static let idempotencyWindow: TimeInterval = 24 * 3600
    static let columns = """
        id, user_id, location_id, status, total_cents, currency, payment_status, payment_amount_cents, payment_reference,
        payment_failure_reason, created_at, updated_at, paid_at
        """

    public init(client: PostgresClient) { self.client = client }

    public func create(
        _ request: OrderRequest, id: UUID, userID: UUID?, caller: String, at time: Date,
        created: @escaping @Sendable (Order) throws -> [DomainEvent]
    ) async throws -> (order: Order, replayed: Bool) {
        do {
            return try await client.transaction { connection in
                if let key = request.idempotencyKey, let first = try Self.keyed(connection, caller: caller, key: key, at: time) {
                    return (first, true)
                }
                let products = try Self.products(connection, request.lines.map(\.productID))
                var problems: [String: String] = [:]
                for line in request.lines where products[line.productID]?.active != true {
                    problems["items.\(line.position).product_id"] = "is not an active product"
                }
                guard problems.isEmpty else { throw AppError(.invalidArgument, "the order is not valid", details: problems) }
                let held = try StockLedger.lock(connection, location: request.locationID, products: request.lines.map(\.productID))
                for line in request.lines where (held[line.productID] ?? 0) < line.quantity {
                    problems[line.productID.lowercasedString] = "only \(held[line.productID] ?? 0) left"
                }
                guard problems.isEmpty else { throw AppError(.failedPrecondition, "not enough stock", details: problems) }

                let lines = request.lines.compactMap { line in
                    products[line.productID].map {
                        OrderLine(
                            productID: line.productID, name: $0.name, category: $0.category, quantity: line.quantity,
                            unitPriceCents: $0.priceCents)
                    }
                }
                let order = Order(
                    id: id, userID: userID, locationID: request.locationID, status: .pendingPayment, lines: lines,
                    totalCents: lines.reduce(0) { $0 + $1.lineTotalCents }, currency: products.values.first?.currency ?? "",
                    payment: nil, createdAt: time, updatedAt: time, paidAt: nil)
                try connection.execute(
                    """
                    INSERT INTO orders (id, user_id, location_id, status, total_cents, currency, caller, idempotency_key,
                        created_at, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
                    """,
                    [.uuid(order.id), SQLValue(order.userID), .uuid(order.locationID), .string(order.status.rawValue),
                     .int(order.totalCents), .string(order.currency), .string(caller), SQLValue(request.idempotencyKey),
                     .date(time)])
                for (index, line) in lines.enumerated() {
                    try connection.execute(
                        """
                        INSERT INTO order_lines (order_id, line, product_id, name, category, quantity, unit_price_cents)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)
                        """,
                        [.uuid(order.id), .int(Int64(index)), .uuid(line.productID), .string(line.name), .string(line.category),
                         .int(line.quantity), .int(line.unitPriceCents)])
                    guard
                        try StockLedger.apply(
                            connection, location: order.locationID, product: line.productID, delta: -line.quantity, kind: .sale,
                            order: order.id, at: time) != nil
                    else { throw AppError(.failedPrecondition, "not enough stock") }
                }
                for event in try created(order) { try connection.appendToOutbox(event) }
                return (order, false)
            }
        } catch let error as DatabaseError where error.kind == .uniqueViolation && request.idempotencyKey != nil {
            // The same key raced in from the same caller and committed first: answer with its order.
            guard let key = request.idempotencyKey,
                let first = try await client.transaction({ try Self.keyed($0, caller: caller, key: key, at: time) })
            else { throw error }
            return (first, true)
        }
    }

    public func order(id: UUID) async throws -> Order? {
        try await client.transaction { connection in try Self.orders(connection, "WHERE id = $1", [.uuid(id)]).first }
    }

    public func orders(_ query: OrderQuery) async throws -> Page<Order> {
        try await client.transaction { connection in
            let filter = """
                WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR location_id = $2)
                  AND ($3::uuid IS NULL OR user_id = $3)
                """
            let parameters: [SQLValue] = [SQLValue(query.status?.rawValue), SQLValue(query.locationID), SQLValue(query.userID)]
            let orders = try Self.orders(
                connection, filter + " ORDER BY created_at DESC, id LIMIT $4 OFFSET $5",
                parameters + [.int(Int64(query.paging.size)), .int(Int64(query.paging.offset))])
            let total = try connection.query("SELECT count(*) AS total FROM orders " + filter, parameters).first?.int("total") ?? 0
            return Page(items: orders, request: query.paging, total: total)
        }
    }

    public func transition(
        id: UUID, at time: Date, handledEvent: ReceivedEvent?, _ change: @escaping @Sendable (inout Order) throws -> OrderEffects
    ) async throws -> Order? {
        try await client.transaction { connection in
            guard var order = try Self.orders(connection, "WHERE id = $1 FOR UPDATE", [.uuid(id)]).first else { return nil }
            if let handledEvent {
                guard try connection.recordInInbox(eventID: handledEvent.id, eventType: handledEvent.type) else { return order }
            }
            let before = order
            let effects = try change(&order)
            guard order != before || !effects.events.isEmpty else { return order }
            order.updatedAt = time
            try connection.execute(
                """
                UPDATE orders SET status = $2, payment_status = $3, payment_amount_cents = $4, payment_reference = $5,
                    payment_failure_reason = $6, paid_at = $7, updated_at = $8
                WHERE id = $1
                """,
                [.uuid(order.id), .string(order.status.rawValue), SQLValue(order.payment?.status.rawValue),
                 order.payment.map { .int($0.amountCents) } ?? .null, SQLValue(order.payment?.reference),
                 SQLValue(order.payment?.failureReason), SQLValue(order.paidAt), .date(time)])
            if effects.releaseStock {
                for line in order.lines {
                    _ = try StockLedger.apply(
                        connection, location: order.locationID, product: line.productID, delta: line.quantity, kind: .release,
                        order: order.id, at: time)
                }
            }
            for event in effects.events { try connection.appendToOutbox(event) }
            return order
        }
    }

    public func pendingSince(before cutoff: Date, limit: Int) async throws -> [UUID] {
        try await client.query(
            "SELECT id FROM orders WHERE status = 'pending_payment' AND created_at < $1 ORDER BY created_at LIMIT $2",
            [.date(cutoff), .int(Int64(limit))]
        ).map { try $0.required("id", $0.uuid) }
    }

    public func paidOrders(after cursor: PaidOrderCursor?, limit: Int) async throws -> [Order] {
        try await client.transaction { connection in
            try Self.orders(
                connection,
                "WHERE paid_at IS NOT NULL AND ($1::timestamptz IS NULL OR (paid_at, id) > ($1, $2)) ORDER BY paid_at, id LIMIT $3",
                [SQLValue(cursor?.paidAt), SQLValue(cursor?.orderID), .int(Int64(limit))])
        }
    }

    /// The order created with `key` by `caller` within the window; an older one gives the key up.
    private static func keyed(_ connection: PostgresConnection, caller: String, key: String, at time: Date) throws -> Order? {
        guard
            let row = try connection.query(
                "SELECT id, created_at FROM orders WHERE caller = $1 AND idempotency_key = $2 FOR UPDATE",
                [.string(caller), .string(key)]
            ).first
        else { return nil }
        let id = try row.required("id", row.uuid)
        guard time.timeIntervalSince(try row.required("created_at", row.date)) < idempotencyWindow else {
            try connection.execute("UPDATE orders SET idempotency_key = NULL WHERE id = $1", [.uuid(id)])
            return nil
        }
        return try orders(connection, "WHERE id = $1", [.uuid(id)]).first
    }

    private static func products(_ connection: PostgresConnection, _ ids: [UUID]) throws -> [UUID: Product] {
        Dictionary(
            uniqueKeysWithValues: try connection.query(
                "SELECT \(PostgresCatalogStore.productColumns) FROM products WHERE id = ANY($1::uuid[])",
                [.string(StockLedger.uuidArray(ids))]
            ).map { row in let product = try PostgresCatalogStore.product(row); return (product.id, product) })
    }

    /// Orders matching `clause` (which may end with ORDER BY/LIMIT/FOR UPDATE), with their lines.
    private static func orders(_ connection: PostgresConnection, _ clause: String, _ parameters: [SQLValue]) throws -> [Order] {
        let rows = try connection.query("SELECT \(columns) FROM orders " + clause, parameters)
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.required("id", $0.uuid) }
        var lines: [UUID: [OrderLine]] = [:]
        for row in try connection.query(
            """
            SELECT order_id, product_id, name, category, quantity, unit_price_cents FROM order_lines
            WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, line
            """,
            [.string(StockLedger.uuidArray(ids))])
        {
            lines[try row.required("order_id", row.uuid), default: []].append(
                OrderLine(
                    productID: try row.required("product_id", row.uuid), name: try row.required("name", row.string),
                    category: try row.required("category", row.string), quantity: Int64(try row.required("quantity", row.int)),
                    unitPriceCents: Int64(try row.required("unit_price_cents", row.int))))
        }
        return try rows.map { row in
            let id = try row.required("id", row.uuid)
            let payment = try row.string("payment_status").flatMap(OrderPayment.Status.init(rawValue:)).map { status in
                OrderPayment(
                    status: status, amountCents: Int64(try row.int("payment_amount_cents") ?? 0),
                    reference: try row.string("payment_reference"), failureReason: try row.string("payment_failure_reason"))
            }
            return Order(
                id: id, userID: try row.uuid("user_id"), locationID: try row.required("location_id", row.uuid),
                status: try row.required("status") { try row.string($0).flatMap(OrderStatus.init(rawValue:)) },
                lines: lines[id] ?? [], totalCents: Int64(try row.required("total_cents", row.int)),
                currency: try row.required("currency", row.string), payment: payment,
                createdAt: try row.required("created_at", row.date), updatedAt: try row.required("updated_at", row.date),
                paidAt: try row.date("paid_at"))
        }
    }
}
