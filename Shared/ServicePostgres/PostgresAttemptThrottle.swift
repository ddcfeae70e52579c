import DatabaseKit
import FoundationEssentials
import Logging
import PlatformCore
import Postgres

/// `AttemptThrottling` whose counts live in the service's Postgres database, so every replica
/// sees the same failures and attempts in flight (an in-memory throttle per replica would grant
/// each replica the full allowance). One row per key of an attempt: in flight until settled, then
/// kept as a failure or deleted. `begin` takes a transaction-scoped advisory lock per key, so
/// concurrent attempts of one account or address, on any replica, are decided one after another
/// by the same rule as in memory (`AttemptLimits.waitTime`).
///
/// A row left in flight by a replica that died counts as a failure until it leaves the window, and
/// stops counting as in flight after `inFlightLimit`.
public struct PostgresAttemptThrottle: AttemptThrottling {
    public let limits: AttemptLimits
    private let client: PostgresClient
    private let inFlightLimit: TimeInterval
    private let logger: Logger

    public init(client: PostgresClient, limits: AttemptLimits, inFlightLimit: Duration = .seconds(60), logger: Logger) {
        self.client = client
        self.limits = limits
        self.inFlightLimit = TimeInterval(inFlightLimit.components.seconds)
        self.logger = logger
    }

    /// The table, as the service's migration of version `version` (its DDL lives here once).
    public static func migration(version: Int) -> MigrationFile {
        let number = String(version)
        return MigrationFile(
            name: String(repeating: "0", count: max(0, 4 - number.count)) + number + "_attempt_throttle.sql",
            sql: """
                CREATE TABLE attempt_throttle (
                    attempt_id UUID NOT NULL,
                    key TEXT NOT NULL,
                    started_at TIMESTAMPTZ NOT NULL,
                    in_flight BOOLEAN NOT NULL,
                    PRIMARY KEY (attempt_id, key)
                );
                CREATE INDEX attempt_throttle_key ON attempt_throttle (key, started_at);
                CREATE INDEX attempt_throttle_started ON attempt_throttle (started_at);
                """)
    }

    public func begin(account: String, address: String, now: Date) async throws -> Attempt {
        let attempt = Attempt(account: account, address: address, startedAt: now)
        let (limits, inFlightLimit) = (limits, inFlightLimit)
        let wait = try await client.transaction { connection -> TimeInterval? in
            // Sorted, so two attempts sharing keys take their locks in the same order.
            for key in attempt.keys.sorted(by: { $0.text < $1.text }) {
                _ = try connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [.string(key.text)])
            }
            _ = try connection.execute(
                "DELETE FROM attempt_throttle WHERE started_at <= $1", [.date(now.addingTimeInterval(-limits.windowSeconds))])
            var waits: [TimeInterval] = []
            for key in attempt.keys {
                var failures: [Date] = []
                var inFlight = 0
                for row in try connection.query(
                    "SELECT started_at, in_flight FROM attempt_throttle WHERE key = $1", [.string(key.text)])
                {
                    let startedAt = try row.required("started_at", row.date)
                    if try row.required("in_flight", row.bool), now.timeIntervalSince(startedAt) < inFlightLimit {
                        inFlight += 1
                    } else {
                        failures.append(startedAt)
                    }
                }
                if let wait = limits.waitTime(for: key, failures: failures, inFlight: inFlight, now: now) { waits.append(wait) }
            }
            if let longest = waits.max() { return longest }
            for key in attempt.keys {
                _ = try connection.execute(
                    "INSERT INTO attempt_throttle (attempt_id, key, started_at, in_flight) VALUES ($1, $2, $3, true)",
                    [.uuid(attempt.id), .string(key.text), .date(attempt.startedAt)])
            }
            return nil
        }
        if let wait { throw AttemptLimits.refusal(waiting: wait) }
        return attempt
    }

    public func succeeded(_ attempt: Attempt) async {
        let accounts = attempt.keys.filter(\.isAccount).map(\.text)
        await settle(attempt, "succeeded") { connection in
            _ = try connection.execute("DELETE FROM attempt_throttle WHERE attempt_id = $1", [.uuid(attempt.id)])
            for key in accounts {
                _ = try connection.execute("DELETE FROM attempt_throttle WHERE key = $1 AND NOT in_flight", [.string(key)])
            }
        }
    }

    public func failed(_ attempt: Attempt) async {
        await settle(attempt, "failed") { connection in
            _ = try connection.execute("UPDATE attempt_throttle SET in_flight = false WHERE attempt_id = $1", [.uuid(attempt.id)])
        }
    }

    public func abandoned(_ attempt: Attempt) async {
        await settle(attempt, "abandoned") { connection in
            _ = try connection.execute("DELETE FROM attempt_throttle WHERE attempt_id = $1", [.uuid(attempt.id)])
        }
    }

    /// A settlement that cannot be written leaves the attempt counted as a failure: never more tries.
    private func settle(_ attempt: Attempt, _ verdict: String, _ change: @escaping @Sendable (PostgresConnection) throws -> Void) async {
        do {
            try await client.transaction(change)
        } catch {
            logger.warning("cannot settle a throttled attempt", metadata: ["verdict": "\(verdict)", "error": "\(error)"])
        }
    }
}
