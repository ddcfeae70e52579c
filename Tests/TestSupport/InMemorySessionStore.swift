import EventKit
import IDMService
import Foundation
import Synchronization

/// A `SessionStore` in memory, for tests; `outbox` shows the events revocations wrote.
public final class InMemorySessionStore: SessionStore {
    private struct State {
        var sessions: [UUID: SessionRecord] = [:]
        /// token hash → (session, spent)
        var tokens: [[UInt8]: (session: UUID, spent: Bool)] = [:]
        var inbox: Set<UUID> = []
        var outbox: [DomainEvent] = []
    }

    private let state = Mutex(State())
    private let bus: LocalEventBus?

    /// - Parameter bus: where committed revocations go besides `outbox` (services run in one process).
    public init(publishingTo bus: LocalEventBus? = nil) { self.bus = bus }

    public var outbox: [DomainEvent] { state.withLock { $0.outbox } }

    public func create(_ session: SessionRecord, refreshHash: [UInt8]) async throws {
        state.withLock {
            $0.sessions[session.id] = session
            $0.tokens[refreshHash] = (session.id, false)
        }
    }

    public func session(refreshHash: [UInt8]) async throws -> SessionRecord? {
        state.withLock { state in state.tokens[refreshHash].flatMap { state.sessions[$0.session] } }
    }

    public func rotate(
        hash: [UInt8], newHash: [UInt8], roles: [String], now: Date,
        revocationEvent: @escaping @Sendable (SessionRecord) throws -> DomainEvent
    ) async throws -> RotationResult {
        let (result, events) = try state.withLock { state -> (RotationResult, [DomainEvent]) in
            guard let token = state.tokens[hash], var session = state.sessions[token.session], session.isActive(at: now) else {
                return (.rejected, [])
            }
            if token.spent {
                session.revokedAt = now
                state.sessions[session.id] = session
                let event = try revocationEvent(session)
                state.outbox.append(event)
                return (.reused(session), [event])
            }
            state.tokens[hash] = (session.id, true)
            state.tokens[newHash] = (session.id, false)
            session.lastSeenAt = now
            session.roles = roles
            state.sessions[session.id] = session
            return (.rotated(session), [])
        }
        if !events.isEmpty { _ = await bus?.publish(events) }
        return result
    }

    public func find(id: UUID) async throws -> SessionRecord? { state.withLock { $0.sessions[id] } }

    public func revoke(
        _ target: RevocationTarget, at: Date, handledEvent: ReceivedEvent?,
        revocationEvent: @escaping @Sendable (SessionRecord) throws -> DomainEvent
    ) async throws -> [SessionRecord]? {
        let outcome = try state.withLock { state -> (revoked: [SessionRecord], events: [DomainEvent])? in
            if let handledEvent {
                guard state.inbox.insert(handledEvent.id).inserted else { return nil }
            }
            let matching = state.sessions.values.filter { session in
                guard session.revokedAt == nil else { return false }
                switch target {
                case .session(let id, let owner): return session.id == id && (owner == nil || session.userID == owner)
                case .user(let userID, let except): return session.userID == userID && session.id != except
                }
            }
            var revoked: [SessionRecord] = []
            var events: [DomainEvent] = []
            for var session in matching {
                session.revokedAt = at
                state.sessions[session.id] = session
                events.append(try revocationEvent(session))
                revoked.append(session)
            }
            state.outbox += events
            return (revoked, events)
        }
        if let events = outcome?.events, !events.isEmpty { _ = await bus?.publish(events) }
        return outcome?.revoked
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
}
