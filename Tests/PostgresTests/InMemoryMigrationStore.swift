import DatabaseKit
import Synchronization

/// A `MigrationStore` in memory. Applying a migration whose SQL contains `FAIL` throws, like a
/// failed statement, and records nothing; every other one is recorded at once, as a commit would.
final class InMemoryMigrationStore: MigrationStore {
    struct Failure: Error {}

    private let state: Mutex<(applied: [Int: String], log: [Int])>

    init(applied: [Int: String] = [:]) {
        state = Mutex((applied, []))
    }

    var applied: [Int: String] { state.withLock { $0.applied } }
    /// Versions in the order they were applied, over all runs.
    var log: [Int] { state.withLock { $0.log } }

    func withMigrationLock<T: Sendable>(
        _ body: @escaping @Sendable ([Int: String], (Migration) throws -> Void) throws -> T
    ) async throws -> T {
        // The mutex is held for the whole body, as the servers hold their migration lock.
        try state.withLock { state in
            try body(state.applied) { migration in
                if migration.sql.contains("FAIL") { throw Failure() }
                state.applied[migration.version] = migration.name
                state.log.append(migration.version)
            }
        }
    }
}
