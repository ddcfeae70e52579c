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
///
/// `AttemptThrottle` keeps the counts in memory (one instance); with replicas the counts must be
/// shared, or each replica would grant the full allowance (`PostgresAttemptThrottle`).
public protocol AttemptThrottling: Sendable {
    var limits: AttemptLimits { get }
    func begin(account: String, address: String, now: Date) async throws -> Attempt
    func succeeded(_ attempt: Attempt) async
    func failed(_ attempt: Attempt) async
    func abandoned(_ attempt: Attempt) async
}

extension AttemptThrottling {
    public func begin(account: String, address: String) async throws -> Attempt {
        try await begin(account: account, address: address, now: Date())
    }
}

/// An attempt in flight; settle it exactly once.
public struct Attempt: Sendable {
    public let id: UUID
    public let keys: [AttemptKey]
    public let startedAt: Date

    /// The account's key and, unless `address` is empty, the address's.
    public init(account: String, address: String, startedAt: Date) {
        id = UUID()
        keys = [AttemptKey(name: account, isAccount: true)] + (address.isEmpty ? [] : [AttemptKey(name: address, isAccount: false)])
        self.startedAt = startedAt
    }
}

public struct AttemptKey: Hashable, Sendable {
    public let name: String
    public let isAccount: Bool

    public init(name: String, isAccount: Bool) {
        self.name = name
        self.isAccount = isAccount
    }

    /// One text for both kinds (`account:…`, `address:…`), e.g. a database key.
    public var text: String { (isAccount ? "account:" : "address:") + name }
}

public struct AttemptLimits: Sendable {
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

    public var windowSeconds: TimeInterval { TimeInterval(window.components.seconds) }

    /// Nil when another attempt of `key` may start, given its failures in the window and its
    /// attempts in flight; otherwise how long until one may.
    public func waitTime(for key: AttemptKey, failures: [Date], inFlight: Int, now: Date) -> TimeInterval? {
        let failures = failures.filter { now.timeIntervalSince($0) < windowSeconds }.sorted()
        let limit = key.isAccount ? perAccount : perAddress
        let concurrent = key.isAccount ? concurrentPerAccount : concurrentPerAddress
        if failures.count >= limit {
            // Free again when enough of the oldest failures have left the window.
            return max(1, windowSeconds - now.timeIntervalSince(failures[failures.count - limit]))
        }
        // Attempts in flight are failures in the making, and only so many may run at once.
        if failures.count + inFlight >= limit || inFlight >= concurrent { return 1 }
        return nil
    }

    public static func refusal(waiting seconds: TimeInterval) -> AppError {
        AppError(.resourceExhausted, "too many attempts; try again later", retryAfterSeconds: Int(seconds.rounded(.up)))
    }
}

/// The throttle of one instance, in memory. Memory is bounded: past `capacity` keys the stalest go.
public final class AttemptThrottle: AttemptThrottling {
    public typealias Limits = AttemptLimits
    private struct Entry {
        var failures: [Date] = []
        var inFlight = 0
        var lastUsed: Date
    }

    public let limits: Limits
    private let entries = Mutex<[AttemptKey: Entry]>([:])

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Starts an attempt, or throws `resourceExhausted` (with a retry delay) while `account` or
    /// `address` (empty: not counted) has no attempts left.
    public func begin(account: String, address: String, now: Date) throws(AppError) -> Attempt {
        let attempt = Attempt(account: account, address: address, startedAt: now)
        let wait = entries.withLock { entries -> TimeInterval? in
            if entries.count >= limits.capacity { evictStalest(&entries) }
            let waits = attempt.keys.compactMap { key -> TimeInterval? in
                var entry = entries[key, default: Entry(lastUsed: now)]
                entry.failures.removeAll { now.timeIntervalSince($0) >= limits.windowSeconds }
                entries[key] = entry
                return limits.waitTime(for: key, failures: entry.failures, inFlight: entry.inFlight, now: now)
            }
            if let longest = waits.max() { return longest }
            for key in attempt.keys {
                entries[key]?.inFlight += 1
                entries[key]?.lastUsed = now
            }
            return nil
        }
        if let wait { throw AttemptLimits.refusal(waiting: wait) }
        return attempt
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

    private func settle(_ attempt: Attempt, _ change: (inout Entry, AttemptKey) -> Void) {
        entries.withLock { entries in
            for key in attempt.keys {
                guard var entry = entries[key] else { continue }
                entry.inFlight = max(0, entry.inFlight - 1)
                change(&entry, key)
                entries[key] = entry
            }
        }
    }

    private func evictStalest(_ entries: inout [AttemptKey: Entry]) {
        let stalest = entries.filter { $0.value.inFlight == 0 }.sorted { $0.value.lastUsed < $1.value.lastUsed }
            .prefix(max(1, limits.capacity / 10)).map(\.key)
        for key in stalest { entries.removeValue(forKey: key) }
    }
}
