import EventKit
import Foundation

/// Where users live. Every write commits together with the events it produces (the outbox).
public protocol UserStore: Sendable {
    /// Throws `AppError.alreadyExists` when the email is taken.
    func insert(_ user: UserRecord, event: DomainEvent) async throws
    func find(id: UUID) async throws -> UserRecord?
    func find(email: String) async throws -> UserRecord?
    /// Applies `change` to the current row under a lock (so concurrent partial updates never
    /// undo each other) and stores the row and the events it returns in one transaction.
    /// Nil when no such user exists.
    func modify(
        id: UUID, _ change: @escaping @Sendable (inout UserRecord) throws -> [DomainEvent]
    ) async throws -> UserRecord?
    func list(_ query: UserQuery) async throws -> UserPage
}
