import Contracts
import DatabaseKit
import EventKit
import Foundation
import PaymentService
import PlatformCore
import Postgres
import Synchronization
import TestSupport
import Testing

/// A provider that records every call (the simulated one answers).
final class RecordingProvider: PaymentProvider {
    let inner = SimulatedPaymentProvider(latency: .zero)
    private let calls = Mutex<[String]>([])

    /// "charge KEY" and "refund KEY", in order.
    var log: [String] { calls.withLock { $0 } }

    func charge(token: String, amountCents: Int64, currency: String, idempotencyKey: String) async throws -> ChargeOutcome {
        calls.withLock { $0.append("charge \(idempotencyKey)") }
        return try await inner.charge(token: token, amountCents: amountCents, currency: currency, idempotencyKey: idempotencyKey)
    }

    func refund(reference: String, amountCents: Int64, idempotencyKey: String) async throws {
        calls.withLock { $0.append("refund \(idempotencyKey)") }
    }
}

/// Payment's side of the saga against the live Postgres server: one payment per order whatever
/// happens to the events, the outcome published with the row, refunds once.
@Suite("Payments", .needs(.postgres))
struct PaymentTests {
    func withPayments(_ body: (PaymentRegistry, RecordingProvider, PostgresClient) async throws -> Void) async throws {
        let migrations = try ServiceSchemas.migrations(of: "Payment", eventTables: .init(outbox: true, inbox: true))
        try await TestPostgres.withSchema(migrations: migrations, maxConnections: 8) { client in
            let provider = RecordingProvider()
            try await body(PaymentRegistry(store: PostgresPaymentStore(client: client), provider: provider), provider, client)
        }
    }

    static func created(_ order: UUID = UUID(), token: String = "tok_ok", total: Int64 = 700, id: UUID = UUID()) throws -> (
        Events_V1_OrderCreated, ReceivedEvent
    ) {
        let payload = Events_V1_OrderCreated.with {
            $0.orderID = order.lowercasedString
            $0.locationID = UUID().uuidString.lowercased()
            $0.totalCents = total
            $0.currency = "EUR"
            $0.paymentToken = token
        }
        return (payload, try Fixtures.received(EventCatalog.orderCreated, payload, id: id))
    }

    static func refundRequest(_ order: UUID) throws -> (Events_V1_OrderRefundRequested, ReceivedEvent) {
        let payload = Events_V1_OrderRefundRequested.with {
            $0.orderID = order.lowercasedString
            $0.reason = "admin"
        }
        return (payload, try Fixtures.received(EventCatalog.orderRefundRequested, payload))
    }

    static func outbox(_ client: PostgresClient) async throws -> [(type: String, payload: [String: Any])] {
        try await client.query("SELECT event_type, payload FROM outbox ORDER BY created_at").map {
            (try $0.required("event_type", $0.string), try Fixtures.jsonObject(try $0.required("payload", $0.string)))
        }
    }

    static func payments(_ client: PostgresClient) async throws -> [String] {
        try await client.query("SELECT status FROM payments ORDER BY created_at").map { try $0.required("status", $0.string) }
    }

    @Test func anOrderIsChargedOnceHoweverOftenItsEventArrives() async throws {
        try await withPayments { payments, provider, client in
            let order = UUID()
            let (payload, event) = try Self.created(order)
            try await payments.charge(payload, from: event)
            try await payments.charge(payload, from: event)  // redelivered
            let (_, copy) = try Self.created(order, id: UUID())  // published again under a new id
            try await payments.charge(payload, from: copy)
            #expect(provider.log == ["charge \(order.lowercasedString)"])
            #expect(try await Self.payments(client) == ["succeeded"])
            let published = try await Self.outbox(client)
            #expect(published.map(\.type) == ["payment.succeeded"])
            #expect(published.first?.payload["orderId"] as? String == order.lowercasedString)
            #expect(published.first?.payload["amountCents"] as? String == "700")
            #expect((published.first?.payload["reference"] as? String)?.hasPrefix("ch_") == true)
        }
    }

    @Test func concurrentDeliveriesOfOneOrderWriteOnePayment() async throws {
        try await withPayments { payments, provider, client in
            let order = UUID()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let (payload, event) = try Self.created(order, id: UUID())
                        try await payments.charge(payload, from: event)
                    }
                }
                try await group.waitForAll()
            }
            // Each delivery may ask the provider, always under the order's key: one charge.
            #expect(Set(provider.log) == ["charge \(order.lowercasedString)"])
            #expect(try await Self.payments(client) == ["succeeded"])
            #expect(try await Self.outbox(client).count == 1)
        }
    }

    @Test(arguments: [("tok_declined", "card_declined"), ("tok_insufficient_funds", "insufficient_funds"), ("tok_stolen", "invalid_token")])
    func refusedTokensFailThePayment(token: String, reason: String) async throws {
        try await withPayments { payments, _, client in
            let (payload, event) = try Self.created(token: token)
            try await payments.charge(payload, from: event)
            #expect(try await Self.payments(client) == ["failed"])
            let published = try await Self.outbox(client)
            #expect(published.map(\.type) == ["payment.failed"])
            #expect(published.first?.payload["reason"] as? String == reason)
            let listed = try await payments.list(status: "failed", paging: try PageRequest(page: 1, size: 10))
            #expect(listed.items.first?.failureReason == reason)
            #expect(listed.items.first?.reference == nil)
        }
    }

    @Test func aRefundGivesTheMoneyBackOnce() async throws {
        try await withPayments { payments, provider, client in
            let order = UUID()
            let (payload, event) = try Self.created(order)
            try await payments.charge(payload, from: event)
            let (request, requested) = try Self.refundRequest(order)
            try await payments.refund(request, from: requested)
            try await payments.refund(request, from: requested)
            let (_, again) = try Self.refundRequest(order)
            try await payments.refund(request, from: again)
            #expect(provider.log == ["charge \(order.lowercasedString)", "refund refund-\(order.lowercasedString)"])
            #expect(try await Self.payments(client) == ["refunded"])
            #expect(try await Self.outbox(client).map(\.type) == ["payment.succeeded", "payment.refunded"])
        }
    }

    @Test func onlyACapturedPaymentIsRefunded() async throws {
        try await withPayments { payments, provider, client in
            let order = UUID()
            let (payload, event) = try Self.created(order, token: "tok_declined")
            try await payments.charge(payload, from: event)
            let (request, requested) = try Self.refundRequest(order)
            try await payments.refund(request, from: requested)
            #expect(provider.log.count == 1)
            #expect(try await Self.payments(client) == ["failed"])
            let (unknown, unknownEvent) = try Self.refundRequest(UUID())
            await #expect(throws: EventRejected.self) { try await payments.refund(unknown, from: unknownEvent) }
        }
    }

    @Test func malformedOrdersAreRejected() async throws {
        try await withPayments { payments, provider, _ in
            var (payload, event) = try Self.created(total: 0)
            await #expect(throws: EventRejected.self) { try await payments.charge(payload, from: event) }
            payload.orderID = "not an id"
            event = try Fixtures.received(EventCatalog.orderCreated, payload)
            await #expect(throws: EventRejected.self) { try await payments.charge(payload, from: event) }
            #expect(provider.log.isEmpty)
        }
    }

    @Test func theAdminsListIsNewestFirstAndFiltered() async throws {
        try await withPayments { payments, _, _ in
            for token in ["tok_ok", "tok_declined", "tok_ok"] {
                let (payload, event) = try Self.created(token: token)
                try await payments.charge(payload, from: event)
            }
            let all = try await payments.list(status: nil, paging: try PageRequest(page: 1, size: 2))
            #expect(all.total == 3)
            #expect(all.items.count == 2)
            #expect(all.items[0].createdAt >= all.items[1].createdAt)
            #expect(try await payments.list(status: "succeeded", paging: try PageRequest(page: 1, size: 10)).total == 2)
            #expect(try await payments.list(status: "failed", paging: try PageRequest(page: 3, size: 10)).total == 1)
            let bad = await Fixtures.appError { _ = try await payments.list(status: "lost", paging: try PageRequest(page: 1, size: 10)) }
            #expect(bad?.details.keys.sorted() == ["status"])
        }
    }
}
