import Contracts
import DatabaseKit
import EventKit
import Foundation
import PlatformCore
import ProductService
import TestSupport
import Testing

/// Product's side of the payment saga against the live Postgres server: each answer of the
/// payment service is applied once, stock comes back exactly when an order will not be paid, and
/// money taken for an order that was given up goes back.
@Suite("Order saga", .needs(.postgres))
struct OrderSagaTests {
    @Test func aSucceededPaymentMakesTheOrderPaidOnceAndPublishesTheSale() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10, price: 420)
            let order = try await commerce.order([(latte, 2)], at: café)
            let answer = try Commerce.succeeded(order)
            try await commerce.deliver(answer)
            try await commerce.deliver(answer)  // redelivered: the inbox knows it
            let paid = try await commerce.orders.order(order.id.lowercasedString, by: Commerce.staff)
            #expect(paid.status == .paid)
            #expect(paid.payment == OrderPayment(status: .succeeded, amountCents: 840, reference: "ch_test", failureReason: nil))
            let sales = try await commerce.outbox("order.paid")
            #expect(sales.count == 1)
            let sale = try #require(sales.first)
            #expect(sale["locationName"] as? String == café.name)
            #expect(sale["totalCents"] as? String == "840")
            let line = try #require((sale["lines"] as? [[String: Any]])?.first)
            #expect(line["name"] as? String == latte.name)
            #expect(line["category"] as? String == "coffee")
            #expect(line["lineTotalCents"] as? String == "840")
            #expect(try await commerce.quantity(of: latte, at: café) == 8)
        }
    }

    @Test func aFailedPaymentGivesTheStockBackOnce() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let order = try await commerce.order([(latte, 4)], at: café)
            let answer = try Commerce.failed(order, reason: "insufficient_funds")
            try await commerce.deliver(answer)
            try await commerce.deliver(answer)
            let failed = try await commerce.orders.order(order.id.lowercasedString, by: Commerce.staff)
            #expect(failed.status == .paymentFailed)
            #expect(failed.payment?.failureReason == "insufficient_funds")
            #expect(try await commerce.quantity(of: latte, at: café) == 10)
            #expect(try await commerce.outbox("order.paid").isEmpty)
        }
    }

    @Test func anOwnerCancelsAPendingOrderAndTheStockComesBack() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let ann = Commerce.customer()
            let order = try await commerce.order([(latte, 3)], at: café, by: ann)
            let stranger = await Fixtures.appError { _ = try await commerce.orders.cancel(order.id.lowercasedString, by: Commerce.customer()) }
            #expect(stranger?.code == .notFound)
            let terminal = await Fixtures.appError {
                _ = try await commerce.orders.cancel(order.id.lowercasedString, by: Commerce.terminal(of: café))
            }
            #expect(terminal?.code == .notFound)
            let cancelled = try await commerce.orders.cancel(order.id.lowercasedString, by: ann)
            #expect(cancelled.status == .cancelled)
            #expect(try await commerce.quantity(of: latte, at: café) == 10)
            #expect(try await commerce.outbox("order.cancelled").first?["reason"] as? String == "cancelled")
            let again = await Fixtures.appError { _ = try await commerce.orders.cancel(order.id.lowercasedString, by: ann) }
            #expect(again?.code == .failedPrecondition)
            #expect(try await commerce.quantity(of: latte, at: café) == 10)
        }
    }

    @Test func aPaidOrderCannotBeCancelled() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let ann = Commerce.customer()
            let order = try await commerce.order([(latte, 1)], at: café, by: ann)
            try await commerce.deliver(try Commerce.succeeded(order))
            let error = await Fixtures.appError { _ = try await commerce.orders.cancel(order.id.lowercasedString, by: Commerce.staff) }
            #expect(error?.code == .failedPrecondition)
            #expect(try await commerce.quantity(of: latte, at: café) == 9)
        }
    }

    @Test func anUnpaidOrderExpiresAndALatePaymentIsRefunded() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let order = try await commerce.order([(latte, 2)], at: café)
            commerce.clock.advance(by: 299)
            #expect(try await commerce.orders.cancelExpired() == 0)
            commerce.clock.advance(by: 2)
            #expect(try await commerce.orders.cancelExpired() == 1)
            #expect(try await commerce.status(of: order) == .cancelled)
            #expect(try await commerce.quantity(of: latte, at: café) == 10)
            #expect(try await commerce.outbox("order.cancelled").first?["reason"] as? String == "timeout")

            try await commerce.deliver(try Commerce.succeeded(order))
            #expect(try await commerce.status(of: order) == .refundPending)
            let request = try #require(try await commerce.outbox("order.refund_requested").first)
            #expect(request["reason"] as? String == "cancelled_before_payment")
            #expect(try await commerce.quantity(of: latte, at: café) == 10)

            try await commerce.deliver(try Commerce.refunded(order))
            let refunded = try await commerce.orders.order(order.id.lowercasedString, by: Commerce.staff)
            #expect(refunded.status == .refunded)
            #expect(refunded.payment?.status == .refunded)
            // Never counted as a sale, so nothing to take back out of the figures.
            #expect(try await commerce.outbox("order.paid").isEmpty)
            #expect(try await commerce.outbox("order.refunded").isEmpty)
        }
    }

    @Test func anAdminRefundsAPaidOrderWithoutReturningItsStock() async throws {
        try await Commerce.run { commerce in
            let (café, latte) = try await commerce.stocked(10)
            let order = try await commerce.order([(latte, 2)], at: café)
            let pending = await Fixtures.appError { _ = try await commerce.orders.refund(order.id.lowercasedString) }
            #expect(pending?.code == .failedPrecondition)
            try await commerce.deliver(try Commerce.succeeded(order))
            #expect(try await commerce.orders.refund(order.id.lowercasedString).status == .refundPending)
            let twice = await Fixtures.appError { _ = try await commerce.orders.refund(order.id.lowercasedString) }
            #expect(twice?.code == .failedPrecondition)
            #expect(try await commerce.outbox("order.refund_requested").map { $0["reason"] as? String } == ["admin"])

            let confirmation = try Commerce.refunded(order)
            try await commerce.deliver(confirmation)
            try await commerce.deliver(confirmation)
            #expect(try await commerce.status(of: order) == .refunded)
            let taken = try await commerce.outbox("order.refunded")
            #expect(taken.count == 1)
            #expect(taken.first?["totalCents"] as? String == "700")
            #expect(taken.first?["paidAt"] != nil)
            #expect(try await commerce.quantity(of: latte, at: café) == 8)
            let unknown = await Fixtures.appError { _ = try await commerce.orders.refund(UUID().uuidString) }
            #expect(unknown?.code == .notFound)
        }
    }

    /// The sweeper and the payment's answer meet on many orders at once: each order ends either
    /// paid with its stock sold, or cancelled with its stock back and the money on its way back
    /// — never paid with its stock returned.
    @Test func theTimeoutRacingThePaymentNeverLosesStockOrMoney() async throws {
        try await Commerce.run(maxConnections: 12) { commerce in
            let (café, latte) = try await commerce.stocked(40)
            var orders: [Order] = []
            for _ in 0..<40 { orders.append(try await commerce.order([(latte, 1)], at: café)) }
            commerce.clock.advance(by: 301)
            let ordersToPay = orders
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await commerce.orders.cancelExpired(limit: 100) }
                for order in ordersToPay { group.addTask { try await commerce.deliver(try Commerce.succeeded(order)) } }
                try await group.waitForAll()
            }
            var paid = 0
            for order in orders {
                switch try await commerce.status(of: order) {
                case .paid: paid += 1
                case .refundPending: break
                case let other: Issue.record("order ended \(other)")
                }
            }
            #expect(try await commerce.quantity(of: latte, at: café) == Int64(40 - paid))
            #expect(try await commerce.outbox("order.paid").count == paid)
            #expect(try await commerce.outbox("order.refund_requested").count == 40 - paid)
        }
    }

    @Test func answersForUnknownOrdersAreRejected() async throws {
        try await Commerce.run { commerce in
            let café = try await commerce.café()
            let ghost = Order(
                id: UUID(), userID: nil, locationID: café.id, status: .pendingPayment, lines: [], totalCents: 100, currency: "EUR",
                payment: nil, createdAt: Date(), updatedAt: Date(), paidAt: nil)
            await #expect(throws: EventRejected.self) { try await commerce.deliver(try Commerce.succeeded(ghost)) }
            await #expect(throws: EventRejected.self) { try await commerce.deliver(try Commerce.failed(ghost)) }
        }
    }
}
