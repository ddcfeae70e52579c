import DatabaseKit
import EventKit
import FoundationEssentials
import PlatformCore
import Postgres
import ServicePostgres

/// Payments on payment's Postgres database.
public struct PostgresPaymentStore: PaymentStore {
    private let client: PostgresClient
    static let columns = "id, order_id, status, amount_cents, currency, reference, failure_reason, created_at, refunded_at"

    public init(client: PostgresClient) { self.client = client }

    public func payment(forOrder order: UUID) async throws -> Payment? {
        try await client.query("SELECT \(Self.columns) FROM payments WHERE order_id = $1", [.uuid(order)]).first.map(Self.payment)
    }

    public func record(_ payment: Payment, event: DomainEvent, cause: ReceivedEvent) async throws -> Bool {
        try await client.transaction { connection in
            guard try connection.recordInInbox(eventID: cause.id, eventType: cause.type) else { return false }
            let inserted = try connection.execute(
                """
                INSERT INTO payments (id, order_id, status, amount_cents, currency, reference, failure_reason, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id) DO NOTHING
                """,
                [.uuid(payment.id), .uuid(payment.orderID), .string(payment.status.rawValue), .int(payment.amountCents),
                 .string(payment.currency), SQLValue(payment.reference), SQLValue(payment.failureReason), .date(payment.createdAt)])
            guard inserted == 1 else { return false }
            try connection.appendToOutbox(event)
            return true
        }
    }

    public func markRefunded(
        order: UUID, at time: Date, cause: ReceivedEvent, refunded: @escaping @Sendable (Payment) throws -> DomainEvent
    ) async throws -> Payment? {
        try await client.transaction { connection in
            guard try connection.recordInInbox(eventID: cause.id, eventType: cause.type),
                let row = try connection.query(
                    """
                    UPDATE payments SET status = 'refunded', refunded_at = $2 WHERE order_id = $1 AND status = 'succeeded'
                    RETURNING \(Self.columns)
                    """,
                    [.uuid(order), .date(time)]
                ).first
            else { return nil }
            let payment = try Self.payment(row)
            try connection.appendToOutbox(try refunded(payment))
            return payment
        }
    }

    public func payments(_ query: PaymentQuery) async throws -> Page<Payment> {
        let status = SQLValue(query.status?.rawValue)
        let rows = try await client.query(
            """
            SELECT \(Self.columns), count(*) OVER () AS total FROM payments WHERE ($1::text IS NULL OR status = $1)
            ORDER BY created_at DESC, id LIMIT $2 OFFSET $3
            """,
            [status, .int(Int64(query.paging.size)), .int(Int64(query.paging.offset))])
        var total = try rows.first.map { try $0.required("total", $0.int) } ?? 0
        if rows.isEmpty && query.paging.page > 1 {
            // Past the last page: count separately so the client still learns the total.
            total = try await client.query(
                "SELECT count(*) AS total FROM payments WHERE ($1::text IS NULL OR status = $1)", [status]
            ).first?.int("total") ?? 0
        }
        return Page(items: try rows.map(Self.payment), request: query.paging, total: total)
    }

    static func payment(_ row: SQLRow) throws -> Payment {
        Payment(
            id: try row.required("id", row.uuid), orderID: try row.required("order_id", row.uuid),
            status: try row.required("status") { try row.string($0).flatMap(Payment.Status.init(rawValue:)) },
            amountCents: Int64(try row.required("amount_cents", row.int)), currency: try row.required("currency", row.string),
            reference: try row.string("reference"), failureReason: try row.string("failure_reason"),
            createdAt: try row.required("created_at", row.date), refundedAt: try row.date("refunded_at"))
    }
}
