import EventKit
import UserService
import Foundation
import PlatformCore
import Synchronization

/// A `UserStore` in memory, for tests; its `outbox` shows what would have been published.
public final class InMemoryUserStore: UserStore {
    private struct State {
        var users: [UUID: UserRecord] = [:]
        var outbox: [DomainEvent] = []
    }

    private let state = Mutex(State())
    private let bus: LocalEventBus?

    /// - Parameter bus: where committed events go besides `outbox` (services run in one process).
    public init(publishingTo bus: LocalEventBus? = nil) { self.bus = bus }

    public var outbox: [DomainEvent] { state.withLock { $0.outbox } }

    public func insert(_ user: UserRecord, event: DomainEvent) async throws {
        try state.withLock { state in
            try Self.checkUnique(user, among: state.users.values)
            state.users[user.id] = user
            state.outbox.append(event)
        }
        _ = await bus?.publish([event])
    }

    public func find(id: UUID) async throws -> UserRecord? { state.withLock { $0.users[id] } }

    public func find(email: String) async throws -> UserRecord? {
        state.withLock { $0.users.values.first { $0.email.utf8.elementsEqual(email.utf8) } }
    }

    public func find(username: String) async throws -> UserRecord? {
        state.withLock { $0.users.values.first { $0.username == username } }
    }

    public func modify(
        id: UUID, countingAdmins: Bool,
        _ change: @escaping @Sendable (inout UserRecord, _ otherActiveAdmins: Int?) throws -> [DomainEvent]
    ) async throws -> UserRecord? {
        let result = try state.withLock { state -> (UserRecord, [DomainEvent])? in
            guard var user = state.users[id] else { return nil }
            let others = countingAdmins ? state.users.values.filter { $0.id != id && $0.isActiveAdmin }.count : nil
            let events = try change(&user, others)
            try Self.checkUnique(user, among: state.users.values.filter { $0.id != id })
            state.users[id] = user
            state.outbox += events
            return (user, events)
        }
        guard let (user, events) = result else { return nil }
        _ = await bus?.publish(events)
        return user
    }

    private static func checkUnique(_ user: UserRecord, among others: some Sequence<UserRecord>) throws {
        for other in others {
            if other.email.utf8.elementsEqual(user.email.utf8) { throw UserRegistry.emailTaken }
            if user.username != nil && other.username == user.username { throw UserRegistry.usernameTaken }
        }
    }

    public func list(_ query: UserQuery) async throws -> Page<UserRecord> {
        let matching = state.withLock { $0.users.values }
            .filter { user in
                (query.email.map { user.email.contains(EmailAddress.normalized($0)) } ?? true)
                    && (query.role.map { user.roles.contains($0) } ?? true)
                    && (query.active.map { user.active == $0 } ?? true)
            }
            .sorted { ($0.createdAt, $0.id.uuidString) < ($1.createdAt, $1.id.uuidString) }
        let page = matching.dropFirst(query.paging.offset).prefix(query.paging.size)
        return Page(items: Array(page), request: query.paging, total: matching.count)
    }
}
