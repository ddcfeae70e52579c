import Foundation
import PlatformCore
import Synchronization

/// Counts failed logins per account and per client address in a sliding window; once either
/// reaches its limit, further attempts are refused (429) until old failures leave the window.
/// A success clears the account's count. Memory is bounded: past `capacity` keys the stalest go.
public final class LoginThrottle: Sendable {
    public struct Limits: Sendable {
        public var perAccount: Int
        public var perAddress: Int
        public var window: Duration
        public var capacity: Int

        public init(perAccount: Int = 5, perAddress: Int = 20, window: Duration = .seconds(900), capacity: Int = 100_000) {
            self.perAccount = perAccount
            self.perAddress = perAddress
            self.window = window
            self.capacity = capacity
        }
    }

    private let limits: Limits
    private let failures = Mutex<[String: [Date]]>([:])

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Throws `resourceExhausted` with a retry delay while `email` or `address` is throttled.
    public func check(email: String, address: String, now: Date = Date()) throws {
        let wait = failures.withLock { failures -> TimeInterval? in
            let waits = [
                waitTime(failures: &failures, key: "account:" + email, limit: limits.perAccount, now: now),
                address.isEmpty ? nil : waitTime(failures: &failures, key: "address:" + address, limit: limits.perAddress, now: now),
            ].compactMap { $0 }
            return waits.max()
        }
        if let wait {
            throw AppError(
                .resourceExhausted, "too many failed logins; try again later",
                retryAfterSeconds: Int(wait.rounded(.up)))
        }
    }

    public func recordFailure(email: String, address: String, now: Date = Date()) {
        failures.withLock { failures in
            if failures.count >= limits.capacity { evictStalest(&failures) }
            failures["account:" + email, default: []].append(now)
            if !address.isEmpty { failures["address:" + address, default: []].append(now) }
        }
    }

    public func recordSuccess(email: String) {
        _ = failures.withLock { $0.removeValue(forKey: "account:" + email) }
    }

    private var windowSeconds: TimeInterval { TimeInterval(limits.window.components.seconds) }

    private func waitTime(failures: inout [String: [Date]], key: String, limit: Int, now: Date) -> TimeInterval? {
        guard var times = failures[key] else { return nil }
        times.removeAll { now.timeIntervalSince($0) >= windowSeconds }
        failures[key] = times.isEmpty ? nil : times
        guard times.count >= limit else { return nil }
        // Free again when enough of the oldest failures have left the window.
        return max(1, windowSeconds - now.timeIntervalSince(times[times.count - limit]))
    }

    private func evictStalest(_ failures: inout [String: [Date]]) {
        let stalest = failures.sorted { ($0.value.last ?? .distantPast) < ($1.value.last ?? .distantPast) }
            .prefix(max(1, limits.capacity / 10)).map(\.key)
        for key in stalest { failures.removeValue(forKey: key) }
    }
}
