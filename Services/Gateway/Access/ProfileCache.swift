import Contracts
import FoundationEssentials
import Synchronization

/// A short-lived read-through cache of user profiles for the caller's own `/me` reads (with
/// what `/me` shows besides the user: the avatar).
///
/// Entries live at most `ttl`. `user.updated` and `user.deactivated` events (and writes through
/// this gateway) drop a user's entry at once, and a fetch that started before such a drop is
/// not stored, so a change is visible immediately on this gateway and within milliseconds on
/// others; after a broker reconnection the whole cache is dropped (events may have been missed).
/// A `ttl` of zero disables it.
public final class ProfileCache<Profile: Sendable>: Sendable {
    private struct State {
        var entries: [String: (profile: Profile, storedAt: ContinuousClock.Instant)] = [:]
        /// When each user's entry was last dropped, kept for `ttl` to refuse stale in-flight fetches.
        var droppedAt: [String: ContinuousClock.Instant] = [:]
        var clearedAt: ContinuousClock.Instant = .now
    }

    private let ttl: Duration
    private let capacity: Int
    private let state = Mutex(State())

    public init(ttl: Duration, capacity: Int = 50_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    /// The cached profile, or `fetch()`'s answer (stored unless the user changed meanwhile).
    public func profile(_ userID: String, fetch: () async throws -> Profile) async throws -> Profile {
        guard ttl > .zero else { return try await fetch() }
        let userID = userID.lowercased()
        let started = ContinuousClock.now
        if let hit = state.withLock({ state -> Profile? in
            guard let entry = state.entries[userID], started - entry.storedAt < ttl else { return nil }
            return entry.profile
        }) {
            return hit
        }
        let profile = try await fetch()
        state.withLock { state in
            guard state.clearedAt < started, (state.droppedAt[userID] ?? started) <= started else { return }
            if state.entries.count >= capacity { prune(&state, now: .now) }
            if state.entries.count < capacity { state.entries[userID] = (profile, started) }
        }
        return profile
    }

    public func drop(_ userID: String) {
        let userID = userID.lowercased()
        state.withLock { state in
            state.entries[userID] = nil
            state.droppedAt[userID] = .now
            if state.droppedAt.count > capacity { prune(&state, now: .now) }
        }
    }

    public func dropAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.droppedAt.removeAll()
            state.clearedAt = .now
        }
    }

    private func prune(_ state: inout State, now: ContinuousClock.Instant) {
        state.entries = state.entries.filter { now - $0.value.storedAt < ttl }
        state.droppedAt = state.droppedAt.filter { now - $0.value < ttl }
    }
}
