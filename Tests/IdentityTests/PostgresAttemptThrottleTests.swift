import DatabaseKit
import FoundationEssentials
import Logging
import PlatformCore
import Postgres
import ServicePostgres
import Testing
import TestSupport

/// The throttle that replicas share: two instances on one database (two replicas of idm) grant
/// together what one would, also when their attempts race.
@Suite struct PostgresAttemptThrottleTests {
    static let table = Migration(version: 1, name: "attempt_throttle", sql: PostgresAttemptThrottle.migration(version: 1).sql)
    let logger = Logger(label: "test")

    /// Two replicas, each with its own pool, on one fresh schema.
    func withReplicas(_ limits: AttemptLimits, _ body: (PostgresAttemptThrottle, PostgresAttemptThrottle, PostgresClient) async throws -> Void)
        async throws
    {
        try await TestPostgres.withSchema(migrations: [Self.table]) { first in
            let url = try TestPostgres.url(searchPath: try #require(try await first.query("SELECT current_schema() AS s").first?.string("s")))
            try await TestPostgres.withClient(url: url) { second in
                try await body(
                    PostgresAttemptThrottle(client: first, limits: limits, logger: logger),
                    PostgresAttemptThrottle(client: second, limits: limits, logger: logger), first)
            }
        }
    }

    /// Eight attempts of one account, four on each replica, all queued behind a lock the test holds
    /// on the account's key and released at once: exactly the allowance starts, the rest are refused.
    @Test func racingAttemptsOnTwoReplicasGetOneAllowance() async throws {
        let limits = AttemptLimits(perAccount: 3, perAddress: 100, concurrentPerAccount: 3, concurrentPerAddress: 100)
        try await withReplicas(limits) { first, second, _ in
            try await TestPostgres.withClient(maxConnections: 1) { holder in
                let key = AttemptKey(name: "ann@example.com", isAccount: true).text
                _ = try await holder.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [.string(key)])
                let outcomes = try await withThrowingTaskGroup(of: Attempt?.self) { group in
                    for index in 0..<8 {
                        let replica = index.isMultiple(of: 2) ? first : second
                        group.addTask { try? await replica.begin(account: "ann@example.com", address: "10.0.0.\(index)") }
                    }
                    try await waitUntil { try await Self.waiters(on: key, holder) == 8 }
                    _ = try await holder.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [.string(key)])
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let started = outcomes.compactMap { $0 }
                #expect(started.count == 3)
                for attempt in started { await first.failed(attempt) }
                // Three failures in the window: refused on either replica, with the wait of the window.
                for replica in [first, second] {
                    let refusal = await #expect(throws: AppError.self) { try await replica.begin(account: "ann@example.com", address: "10.0.1.1") }
                    #expect(refusal?.code == .resourceExhausted)
                    #expect((refusal?.retryAfterSeconds ?? 0) > 800)
                }
            }
        }
    }

    /// A success on one replica forgets the account's failures on both; an abandoned attempt costs nothing.
    @Test func settlementsAreSeenByEveryReplica() async throws {
        let limits = AttemptLimits(perAccount: 2, perAddress: 100, concurrentPerAccount: 1, concurrentPerAddress: 100)
        try await withReplicas(limits) { first, second, _ in
            await first.failed(try await first.begin(account: "bob", address: "10.0.0.1"))
            let inFlight = try await second.begin(account: "bob", address: "10.0.0.2")
            // One in flight is the account's concurrency: the other replica waits for it.
            await #expect(throws: AppError.self) { try await first.begin(account: "bob", address: "10.0.0.3") }
            await second.abandoned(inFlight)
            await first.succeeded(try await first.begin(account: "bob", address: "10.0.0.3"))
            // The success forgot the earlier failure: two more failures fit before the refusal.
            await second.failed(try await second.begin(account: "bob", address: "10.0.0.4"))
            await first.failed(try await first.begin(account: "bob", address: "10.0.0.4"))
            await #expect(throws: AppError.self) { try await second.begin(account: "bob", address: "10.0.0.5") }
        }
    }

    /// An attempt whose replica died before settling it counts as a failure, not in flight forever.
    @Test func anUnsettledAttemptOfADeadReplicaCountsAsAFailure() async throws {
        let limits = AttemptLimits(perAccount: 2, perAddress: 100, concurrentPerAccount: 1, concurrentPerAddress: 100)
        try await withReplicas(limits) { first, second, client in
            let start = Date()
            _ = try await first.begin(account: "cid", address: "10.0.0.1", now: start)
            await #expect(throws: AppError.self) { try await second.begin(account: "cid", address: "10.0.0.2", now: start.addingTimeInterval(30)) }
            let later = try await second.begin(account: "cid", address: "10.0.0.2", now: start.addingTimeInterval(61))
            await second.failed(later)
            let refusal = await #expect(throws: AppError.self) {
                try await first.begin(account: "cid", address: "10.0.0.3", now: start.addingTimeInterval(62))
            }
            #expect((refusal?.retryAfterSeconds ?? 0) > 800)
            // Rows leave the table with the window.
            _ = try await first.begin(account: "other", address: "10.0.0.9", now: start.addingTimeInterval(2000))
            let left = try await client.query("SELECT count(*) AS n FROM attempt_throttle WHERE key LIKE 'account:cid'")
            #expect(try left.first?.int("n") == 0)
        }
    }

    /// Sessions waiting for the advisory lock of `key` (its 64-bit hash is split over classid and objid).
    static func waiters(on key: String, _ client: PostgresClient) async throws -> Int {
        try await client.query(
            """
            SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
              AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)
            """, [.string(key)]
        ).first?.int("n") ?? 0
    }
}
