import DatabaseKit
import Testing

@Suite("Migrator")
struct MigratorTests {
    static let migrations = [
        Migration(version: 1, name: "init", sql: "CREATE TABLE a ();"),
        Migration(version: 2, name: "add_b", sql: "CREATE TABLE b ();"),
        Migration(version: 10, name: "add_c", sql: "CREATE TABLE c ();"),
    ]

    @Test func appliesInVersionOrderOnce() async throws {
        let store = InMemoryMigrationStore()
        #expect(try await Migrator.migrate(Self.migrations.reversed(), on: store) == [1, 2, 10])
        #expect(try await Migrator.migrate(Self.migrations, on: store) == [])
        #expect(store.log == [1, 2, 10])
        #expect(store.applied == [1: "init", 2: "add_b", 10: "add_c"])
    }

    @Test func appliesOnlyThePendingOnes() async throws {
        let store = InMemoryMigrationStore(applied: [1: "init", 10: "add_c"])
        #expect(try await Migrator.migrate(Self.migrations, on: store) == [2])
        #expect(store.log == [2])
    }

    @Test func refusesARenamedAppliedMigrationBeforeApplyingLaterOnes() async throws {
        let store = InMemoryMigrationStore(applied: [1: "initial"])
        let error = await #expect(throws: MigrationError.self) { try await Migrator.migrate(Self.migrations, on: store) }
        #expect(error?.description.contains("'initial'") == true)
        #expect(error?.description.contains("'init'") == true)
        #expect(store.log.isEmpty)
    }

    @Test func aFailureStopsTheRunAndKeepsWhatWasApplied() async throws {
        let store = InMemoryMigrationStore()
        var migrations = Self.migrations
        migrations[1] = Migration(version: 2, name: "add_b", sql: "FAIL")
        await #expect(throws: InMemoryMigrationStore.Failure.self) { try await Migrator.migrate(migrations, on: store) }
        #expect(store.applied == [1: "init"])
        #expect(try await Migrator.migrate(Self.migrations, on: store) == [2, 10])
    }

    @Test func refusesDuplicateVersionsBeforeTouchingTheStore() async throws {
        let store = InMemoryMigrationStore()
        let twice = Self.migrations + [Migration(version: 2, name: "other", sql: "")]
        let error = await #expect(throws: MigrationError.self) { try await Migrator.migrate(twice, on: store) }
        #expect(error?.description.contains("version 2") == true)
        #expect(store.log.isEmpty)
    }

    @Test func concurrentRunsApplyEachOnce() async throws {
        let store = InMemoryMigrationStore()
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<8 { group.addTask { try await Migrator.migrate(Self.migrations, on: store) } }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        #expect(applied.sorted() == [1, 2, 10])
        #expect(store.log == [1, 2, 10])
    }

    @Test func nothingToDoIsFine() async throws {
        #expect(try await Migrator.migrate([], on: InMemoryMigrationStore()) == [])
    }
}
