import EventKit
import FoundationEssentials
import PlatformCore

/// Where users live. Every write commits together with the events it produces (the outbox).
public protocol UserStore: Sendable {
    /// Throws `UserRegistry.emailTaken` or `UserRegistry.usernameTaken`.
    func insert(_ user: UserRecord, event: DomainEvent) async throws
    func find(id: UUID) async throws -> UserRecord?
    func find(email: String) async throws -> UserRecord?
    /// `username` is in its stored (lowercased) form.
    func find(username: String) async throws -> UserRecord?
    /// Applies `change` to the current row under a lock (so concurrent partial updates never
    /// undo each other) and stores the row and the events it returns in one transaction.
    /// Nil when no such user exists; `UserRegistry.usernameTaken` when the new username is taken.
    ///
    /// With `countingAdmins`, changes that count admins are serialised with each other and
    /// `change` is told how many active admins there are besides this user, so two admins
    /// demoting each other at once cannot leave none.
    func modify(
        id: UUID, countingAdmins: Bool,
        _ change: @escaping @Sendable (inout UserRecord, _ otherActiveAdmins: Int?) throws -> [DomainEvent]
    ) async throws -> UserRecord?
    func list(_ query: UserQuery) async throws -> Page<UserRecord>
}
