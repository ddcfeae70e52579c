import EventKit
import FoundationEssentials
import PlatformCore

/// The payments and, with every change of one, its event (outbox) and the event that caused it
/// (inbox), in one transaction.
public protocol PaymentStore: Sendable {
    func payment(forOrder order: UUID) async throws -> Payment?
    /// Writes the payment with `event`, recording `cause` as handled. False, and nothing written
    /// but the inbox record, when the order already has a payment.
    func record(_ payment: Payment, event: DomainEvent, cause: ReceivedEvent) async throws -> Bool
    /// Turns the order's succeeded payment into a refunded one with the event `refunded` builds,
    /// recording `cause` as handled. Nil when there was no succeeded payment to refund.
    func markRefunded(
        order: UUID, at: Date, cause: ReceivedEvent, refunded: @escaping @Sendable (Payment) throws -> DomainEvent
    ) async throws -> Payment?
    /// Newest first.
    func payments(_ query: PaymentQuery) async throws -> Page<Payment>
}
