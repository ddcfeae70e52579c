import EventKit
import Foundation
import IDMService
import Synchronization

/// A `SessionStore` in memory with the Postgres store's rules, for tests; `outbox` shows the
/// events revocations wrote, and with a bus they are published as they commit.
public final class InMemorySessionStore: SessionStore {
    private struct Account {
        var epoch: Int64 = 0
        var state: AccountInfo?
    }

    private struct State {
        var sessions: [UUID: SessionRecord] = [:]
        /// token hash → (session, spent)
        var tokens: [[UInt8]: (session: UUID, spent: Bool)] = [:]
        var accounts: [UUID: Account] = [:]
        var epochs: Int64 = 0
        var inbox: Set<UUID> = []
        var outbox: [DomainEvent] = []
    }

    private let state = Mutex(State())
    private let bus: LocalEventBus?

    /// - Parameter bus: where committed revocations go besides `outbox` (services run in one process).
    public init(publishingTo bus: LocalEventBus? = nil) { self.bus = bus }

    public var outbox: [DomainEvent] { state.withLock { $0.outbox } }

    public func currentEpoch() async throws -> Int64 { state.withLock { $0.epochs } }

    public func open(_ session: SessionRecord, refreshHash: [UInt8], account: AccountInfo, epoch: Int64) async throws
        -> SessionRecord?
    {
        state.withLock { state in
            let known = state.accounts[session.userID] ?? Account()
            guard known.epoch <= epoch else { return nil }
            let current = account.newer(than: known.state)
            guard current.active else { return nil }
            var session = session
            session.roles = current.roles
            session.epoch = known.epoch
            state.sessions[session.id] = session
            state.tokens[refreshHash] = (session.id, false)
            return session
        }
    }

    public func session(refreshHash: [UInt8]) async throws -> SessionRecord? {
        state.withLock { state in state.tokens[refreshHash].flatMap { state.sessions[$0.session] } }
    }

    public func rotate(
        hash: [UInt8], newHash: [UInt8], account: AccountInfo, now: Date, revocationEvent: @escaping RevocationEvent
    ) async throws -> RotationResult {
        try await committing { state in
            guard let token = state.tokens[hash], var session = state.sessions[token.session],
                session.userID == account.userID, session.isActive(at: now)
            else { return (.rejected, []) }
            if token.spent {
                session.revokedAt = now
                state.sessions[session.id] = session
                return (.reused(session), [try revocationEvent(session, "refresh_token_reuse")])
            }
            let known = state.accounts[session.userID] ?? Account()
            let current = account.newer(than: known.state)
            guard current.active, known.epoch <= session.epoch else { return (.ended(session), []) }
            state.tokens[hash] = (session.id, true)
            state.tokens[newHash] = (session.id, false)
            session.lastSeenAt = now
            session.roles = current.roles
            state.sessions[session.id] = session
            return (.rotated(session), [])
        }
    }

    public func find(id: UUID) async throws -> SessionRecord? { state.withLock { $0.sessions[id] } }

    public func revoke(
        _ target: RevocationTarget, reason: String, at: Date, handledEvent: ReceivedEvent?,
        revocationEvent: @escaping RevocationEvent
    ) async throws -> [SessionRecord]? {
        try await committing { state in
            if let handledEvent {
                guard state.inbox.insert(handledEvent.id).inserted else { return (nil, []) }
            }
            switch target {
            case .session(let id, let owner):
                return try Self.revoke(&state, reason: reason, at: at, revocationEvent) {
                    $0.id == id && (owner == nil || $0.userID == owner)
                }
            case .user(let userID, let except):
                Self.endEpoch(of: userID, vouchingFor: except, &state)
                return try Self.revoke(&state, reason: reason, at: at, revocationEvent) {
                    $0.userID == userID && $0.id != except
                }
            }
        }
    }

    public func applyUserState(
        _ account: AccountInfo, at: Date, handledEvent: ReceivedEvent, revocationEvent: @escaping RevocationEvent
    ) async throws -> [SessionRecord]? {
        try await committing { state in
            guard state.inbox.insert(handledEvent.id).inserted else { return (nil, []) }
            guard account.version > state.accounts[account.userID]?.state?.version ?? 0 else { return ([], []) }
            state.accounts[account.userID, default: Account()].state = account
            guard account.active else {
                Self.endEpoch(of: account.userID, vouchingFor: nil, &state)
                return try Self.revoke(&state, reason: "deactivated", at: at, revocationEvent) { $0.userID == account.userID }
            }
            return try Self.revoke(&state, reason: "roles_changed", at: at, revocationEvent) {
                $0.userID == account.userID && $0.roles != account.roles
            }
        }
    }

    public func activeSessions(userID: UUID, now: Date) async throws -> [SessionRecord] {
        state.withLock { $0.sessions.values.filter { $0.userID == userID && $0.isActive(at: now) } }
            .sorted { $0.lastSeenAt > $1.lastSeenAt }
    }

    public func lastLogin(email: String) async throws -> Date? {
        state.withLock { $0.sessions.values.filter { $0.email.utf8.elementsEqual(email.utf8) }.map(\.createdAt).max() }
    }

    public func revokedSessions(since: Date) async throws -> [(id: UUID, revokedAt: Date)] {
        state.withLock { $0.sessions.values.compactMap { s in s.revokedAt.flatMap { $0 >= since ? (s.id, $0) : nil } } }
    }

    /// Runs `change` atomically, keeps the events it wrote in the outbox and then publishes them.
    private func committing<T: Sendable>(_ change: (inout State) throws -> (T, [DomainEvent])) async throws -> T {
        let (result, events) = try state.withLock { state in
            let (result, events) = try change(&state)
            state.outbox += events
            return (result, events)
        }
        if !events.isEmpty { _ = await bus?.publish(events) }
        return result
    }

    private static func endEpoch(of userID: UUID, vouchingFor session: UUID?, _ state: inout State) {
        state.epochs += 1
        state.accounts[userID, default: Account()].epoch = state.epochs
        if let session, state.sessions[session]?.userID == userID { state.sessions[session]?.epoch = state.epochs }
    }

    private static func revoke(
        _ state: inout State, reason: String, at: Date, _ revocationEvent: RevocationEvent,
        matching: (SessionRecord) -> Bool
    ) throws -> ([SessionRecord]?, [DomainEvent]) {
        var revoked: [SessionRecord] = []
        var events: [DomainEvent] = []
        for var session in state.sessions.values where session.revokedAt == nil && matching(session) {
            session.revokedAt = at
            state.sessions[session.id] = session
            events.append(try revocationEvent(session, reason))
            revoked.append(session)
        }
        return (revoked, events)
    }
}
