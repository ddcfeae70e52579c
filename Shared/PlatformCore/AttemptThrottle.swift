import FoundationEssentials
import Synchronization

/// Throttles attempts to prove a secret (logins, password checks) per account and per client
/// address: once the failures in a sliding window reach a limit, further attempts are refused
/// (429, with the wait) until old failures leave the window.
///
/// An attempt counts from the moment it starts, not when its slow verification ends: `begin`
/// reserves it as a failure in the making and refuses when failures plus attempts in flight reach
/// the limit, or when too many attempts of the account or address are in flight at once; the
/// attempt is then settled as `succeeded` (the account's failures are forgotten), `failed`, or
/// `abandoned` (no verdict, e.g. the verifier was unreachable). So a burst of concurrent guesses
/// gets no more tries than a sequence would, and one address cannot fill the verifiers' queue.
/// Memory is bounded: past `capacity` keys the stalest go.
public final class AttemptThrottle: Sendable {
    public struct Limits: Sendable {
        public var perAccount: Int
        public var perAddress: Int
        public var window: Duration
        /// Attempts of one account, and of one address, that may be in flight at once.
        public var concurrentPerAccount: Int
        public var concurrentPerAddress: Int
        public var capacity: Int

        public init(
            perAccount: Int = 5, perAddress: Int = 20, window: Duration = .seconds(900), concurrentPerAccount: Int = 2,
            concurrentPerAddress: Int = 4, capacity: Int = 100_000
        ) {
            self.perAccount = perAccount
            self.perAddress = perAddress
            self.window = window
            self.concurrentPerAccount = concurrentPerAccount
            self.concurrentPerAddress = concurrentPerAddress
            self.capacity = capacity
        }
    }

    /// An attempt in flight; settle it exactly once.
    public struct Attempt: Sendable {
        fileprivate let keys: [Key]
        fileprivate let startedAt: Date
    }

    fileprivate struct Key: Hashable, Sendable {
        let name: String
        let isAccount: Bool
    }

    private struct Entry {
        var failures: [Date] = []
        var inFlight = 0
        var lastUsed: Date
    }

    private let limits: Limits
    private let entries = Mutex<[Key: Entry]>([:])

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Starts an attempt, or throws `resourceExhausted` (with a retry delay) while `account` or
    /// `address` (empty: not counted) has no attempts left.
    public func begin(account: String, address: String, now: Date = Date()) throws(AppError) -> Attempt {
        var keys = [Key(name: account, isAccount: true)]
        if !address.isEmpty { keys.append(Key(name: address, isAccount: false)) }
        let wait = entries.withLock { entries -> TimeInterval? in
            if entries.count >= limits.capacity { evictStalest(&entries) }
            let waits = keys.compactMap { key in waitTime(&entries[key, default: Entry(lastUsed: now)], key: key, now: now) }
            if let longest = waits.max() { return longest }
            for key in keys {
                entries[key, default: Entry(lastUsed: now)].inFlight += 1
                entries[key]?.lastUsed = now
            }
            return nil
        }
        if let wait {
            throw AppError(.resourceExhausted, "too many attempts; try again later", retryAfterSeconds: Int(wait.rounded(.up)))
        }
        return Attempt(keys: keys, startedAt: now)
    }

    public func succeeded(_ attempt: Attempt) {
        settle(attempt) { entry, key in if key.isAccount { entry.failures.removeAll() } }
    }

    public func failed(_ attempt: Attempt) {
        settle(attempt) { entry, _ in entry.failures.append(attempt.startedAt) }
    }

    public func abandoned(_ attempt: Attempt) {
        settle(attempt) { _, _ in }
    }

    private func settle(_ attempt: Attempt, _ change: (inout Entry, Key) -> Void) {
        entries.withLock { entries in
            for key in attempt.keys {
                guard var entry = entries[key] else { continue }
                entry.inFlight = max(0, entry.inFlight - 1)
                change(&entry, key)
                entries[key] = entry
            }
        }
    }

    private var windowSeconds: TimeInterval { TimeInterval(limits.window.components.seconds) }

    /// Nil when another attempt may start; otherwise how long until one may.
    private func waitTime(_ entry: inout Entry, key: Key, now: Date) -> TimeInterval? {
        entry.failures.removeAll { now.timeIntervalSince($0) >= windowSeconds }
        let limit = key.isAccount ? limits.perAccount : limits.perAddress
        let concurrent = key.isAccount ? limits.concurrentPerAccount : limits.concurrentPerAddress
        if entry.failures.count >= limit {
            // Free again when enough of the oldest failures have left the window.
            return max(1, windowSeconds - now.timeIntervalSince(entry.failures[entry.failures.count - limit]))
        }
        // Attempts in flight are failures in the making, and only so many may run at once.
        if entry.failures.count + entry.inFlight >= limit || entry.inFlight >= concurrent { return 1 }
        return nil
    }

    private func evictStalest(_ entries: inout [Key: Entry]) {
        let stalest = entries.filter { $0.value.inFlight == 0 }.sorted { $0.value.lastUsed < $1.value.lastUsed }
            .prefix(max(1, limits.capacity / 10)).map(\.key)
        for key in stalest { entries.removeValue(forKey: key) }
    }
}
