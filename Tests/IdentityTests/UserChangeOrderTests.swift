import AuthService
import Contracts
import DatabaseKit
import EventKit
import Foundation
import PasswordHashing
import Postgres
import TestSupport
import Testing
import UserService

/// A deactivation racing a dozen profile edits of the same user, with the interleaving forced:
/// the test holds the user's row lock while all thirteen changes queue behind it, and the clock
/// runs backwards, so each change read its time before another that commits earlier. Events must
/// still follow the commit order (versions taken under the lock), and auth, applying them in any
/// order, must end with the state that committed last.
@Suite("User change order", .needs(.postgres))
struct UserChangeOrderTests {
    @Test func aDeactivationRacingEditsIsNeverUndone() async throws {
        let migrations = try ServiceSchemas.migrations(of: "User", eventTables: .init(outbox: true, inbox: false))
        let application = uniqueTestName("user-order")
        try await TestPostgres.withSchema(migrations: migrations, maxConnections: 16, applicationName: application) { client in
            let ticks = Locked(0)
            let start = Date(timeIntervalSince1970: 1_900_000_000)
            let registry = UserRegistry(
                store: PostgresUserStore(client: client), hasher: try await PasswordHasher(cost: 4, threads: 1),
                now: { start.addingTimeInterval(-Double(ticks.update { $0 += 1; return $0 })) })
            let user = try await registry.register(email: "raced@example.com", password: "long enough", name: "Raced")
            let id = user.id.uuidString

            // The test holds the row lock until every change waits for it.
            let release = DispatchSemaphore(value: 0)
            let locked = DispatchSemaphore(value: 0)
            let holder = Task {
                try await client.transaction { connection in
                    try connection.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [.uuid(user.id)])
                    locked.signal()
                    release.wait()
                }
            }
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    locked.wait()
                    continuation.resume()
                }
            }
            let changes = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { _ = try await registry.deactivate(id: id, by: nil) }
                    for index in 0..<12 {
                        group.addTask { _ = try await registry.update(id: id, name: "Edit \(index)", roles: nil, active: nil, by: nil) }
                    }
                    try await group.waitForAll()
                }
            }
            try await waitUntil("thirteen changes waiting for the row lock") {
                try await client.query(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = $1",
                    [.string(application)]
                ).first?.int("n") == 13
            }
            release.signal()
            try await holder.value
            try await changes.value

            let final = try await registry.get(id: id)
            #expect(final.active == false && final.version == 14)
            let events = try await client.query("SELECT event_type, payload FROM outbox ORDER BY created_at").map { row in
                (try row.required("event_type", row.string), try row.required("payload", row.string))
            }
            let updates = try events.filter { $0.0 == "user.updated" }.map { try Events_V1_UserUpdated(jsonString: $0.1) }
            #expect(Set(updates.map(\.version)) == Set(2...14), "one version per committed change")
            let newest = try #require(updates.max { $0.version < $1.version })
            #expect(newest.active == false && newest.name == final.name)
            // Times follow the versions even though the clock ran backwards.
            let byVersion = updates.sorted { $0.version < $1.version }
            #expect(zip(byVersion, byVersion.dropFirst()).allSatisfy { $0.updatedAt.date <= $1.updatedAt.date })

            // auth, receiving the events newest first (any order may happen), ends inactive.
            let credentials = InMemoryCredentialStore()
            let handlers = try authEventHandlers(
                credentials: CredentialRegistry(store: credentials, hasher: try await PasswordHasher(cost: 4, threads: 1)))
            for (type, payload) in [events.first { $0.0 == "user.registered" }!] + events.filter({ $0.0 != "user.registered" }).reversed() {
                try await handlers.handle(try Fixtures.received(type, json: payload))
            }
            let credential = try #require(try await credentials.find(userID: user.id))
            #expect(credential.active == false && credential.sourceVersion == 14)
        }
    }
}
