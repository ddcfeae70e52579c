import AMQP
import DatabaseKit
import EventKit
import Foundation
import MariaDB
import Postgres
import ServiceMariaDB
import ServicePostgres
import TestSupport
import Testing

/// The outbox of `EventTables` on each store the services use, against the live servers: the
/// same contract (claim with leases that replicas skip, publish, retry after a failure).
enum OutboxDatabase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case postgres, mariadb

    var testDescription: String { rawValue }

    var server: TestServer { self == .postgres ? .postgres : .mariadb }

    /// The stores whose server is configured (all of them under `REQUIRE_TEST_SERVERS=1`).
    static var enabled: [OutboxDatabase] { allCases.filter(\.server.isEnabled) }

    /// A fresh outbox table; `append` writes events the way a service does (inside a transaction).
    func withOutbox<T>(
        connections: Int = 4,
        _ body: (_ store: any OutboxStore, _ append: @escaping @Sendable ([DomainEvent]) async throws -> Void, _ lastError: @escaping @Sendable () async throws -> String?) async throws -> T
    ) async throws -> T {
        let tables = EventTables(outbox: true, inbox: false)
        switch self {
        case .postgres:
            return try await TestPostgres.withSchema(migrations: tables.migrations(.postgres), maxConnections: connections) { client in
                try await body(
                    PostgresOutboxStore(client: client),
                    { events in try await client.transaction { c in for event in events { try c.appendToOutbox(event) } } },
                    { try await client.query("SELECT last_error FROM outbox").first?.string("last_error") })
            }
        case .mariadb:
            return try await TestMariaDB.withDatabase(migrations: tables.migrations(.mariadb), poolSize: connections) { client in
                try await body(
                    MariaDBOutboxStore(client: client),
                    { events in try await client.transaction { c in for event in events { try c.appendToOutbox(event) } } },
                    { try await client.query("SELECT last_error FROM outbox").first?.string("last_error") })
            }
        }
    }
}

@Suite("Outbox stores")
struct OutboxStoreTests {
    @Test(arguments: OutboxDatabase.enabled)
    func concurrentClaimsNeverReturnTheSameRow(database: OutboxDatabase) async throws {
        try await database.withOutbox(connections: 4) { store, append, _ in
            for round in 0..<5 {
                let start = Date()
                let events = (0..<40).map { index in
                    DomainEvent(
                        type: "outboxtest.claimed", payload: #"{"round":\#(round),"index":\#(index)}"#, correlationID: nil,
                        occurredAt: start.addingTimeInterval(Double(index) / 1000))
                }
                try await append(events)

                // Four relays claim at once; row locks are skipped, never waited for or shared.
                let claims = try await withThrowingTaskGroup(of: [UUID].self) { group in
                    for _ in 0..<4 {
                        group.addTask { try await store.claim(limit: 15, lease: .seconds(60)).map(\.event.id) }
                    }
                    return try await group.reduce(into: [[UUID]]()) { $0.append($1) }
                }
                // A row another claimer had locked in passing may be skipped by all of them; the
                // next claim takes it. What must never happen is a row claimed twice.
                let all = claims.flatMap { $0 } + (try await store.claim(limit: 100, lease: .seconds(60)).map(\.event.id))
                #expect(Set(all).count == all.count, "a row was claimed twice in round \(round)")
                #expect(Set(all) == Set(events.map(\.id)), "round \(round) left rows unclaimed")

                // Everything is leased now: nobody gets anything until the leases end.
                #expect(try await store.claim(limit: 100, lease: .seconds(60)).isEmpty)
                try await store.markPublished(events.map(\.id))
            }
        }
    }

    @Test(arguments: OutboxDatabase.enabled)
    func claimsComeInTheOrderOfTheirInsertsWithTheirFields(database: OutboxDatabase) async throws {
        try await database.withOutbox { store, append, _ in
            // The events' own times are in the other order: what counts is when each was written
            // (under the lock of what changed), not a clock read before.
            let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let events = (0..<3).reversed().map { index in
                DomainEvent(
                    type: "outboxtest.fields", payload: #"{"index":\#(index)}"#, correlationID: "request-\(index)",
                    occurredAt: start.addingTimeInterval(Double(index)))
            }
            for event in events { try await append([event]) }
            let claimed = try await store.claim(limit: 10, lease: .seconds(60))
            #expect(claimed.map(\.event.id) == events.map(\.id))
            #expect(claimed.map(\.event.payload) == events.map(\.payload))
            #expect(claimed.map(\.event.correlationID) == events.map(\.correlationID))
            #expect(claimed.allSatisfy { abs($0.event.occurredAt.timeIntervalSinceNow) < 60 })
            #expect(claimed.map(\.attempts) == [1, 1, 1])
            try await store.markPublished(claimed.map(\.event.id))
            #expect(try await store.purgePublished(olderThan: .seconds(3600)) == 0)
            #expect(try await store.purgePublished(olderThan: .zero) == 3)
        }
    }

    @Test(arguments: OutboxDatabase.enabled)
    func aFailedRowComesBackAfterItsRetryDelay(database: OutboxDatabase) async throws {
        try await database.withOutbox { store, append, lastError in
            let event = DomainEvent(type: "outboxtest.retried", payload: "{}", correlationID: nil)
            try await append([event])
            #expect(try await store.claim(limit: 10, lease: .seconds(60)).map(\.event.id) == [event.id])
            // Long enough that a busy machine still claims again before the delay is over.
            try await store.markFailed([event.id], error: "the broker is down", retryAfter: .seconds(2))
            #expect(try await store.claim(limit: 10, lease: .seconds(60)).isEmpty)
            try await Task.sleep(for: .milliseconds(2500))
            let again = try await store.claim(limit: 10, lease: .seconds(60))
            #expect(again.map(\.event.id) == [event.id])
            #expect(again.first?.attempts == 2)
            #expect(try await lastError() == "the broker is down")
        }
    }

    /// Committed rows reach the live broker with their ids, types, payloads and correlation ids,
    /// and are marked published only then.
    @Test(.needs(.broker), arguments: OutboxDatabase.enabled)
    func theRelayPublishesCommittedEventsThroughTheBroker(database: OutboxDatabase) async throws {
        let routingKey = TestBroker.uniqueName("outboxtest") + ".created"
        let queue = QueueSpec(name: TestBroker.uniqueName("outbox-tests"), bindingKeys: [routingKey])
        try await database.withOutbox { store, append, _ in
            try await TestBroker.withQueue(queue) {
                let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
                let events = (0..<3).map { index in
                    DomainEvent(
                        type: routingKey, payload: #"{"index":\#(index)}"#, correlationID: "request-\(index)",
                        occurredAt: start.addingTimeInterval(Double(index)))
                }
                try await append(events)

                let publisher = try TestBroker.publisher()
                let relay = OutboxRelay(store: store, publisher: publisher, logger: Fixtures.quietLogger)
                #expect(await relay.drain() == 3)
                #expect(await relay.drain() == 0)
                await publisher.close()

                let received = Received()
                let messages = try await TestBroker.whileConsuming(try TestBroker.consumer(queue), received.handler(.ack)) {
                    try await received.wait(for: 3)
                }
                #expect(messages.map(\.messageID) == events.map { $0.id.uuidString.lowercased() })
                #expect(messages.map(\.type) == Array(repeating: routingKey, count: 3))
                #expect(messages.map { String(decoding: $0.body, as: UTF8.self) } == events.map(\.payload))
                #expect(messages.map(\.correlationID) == events.map(\.correlationID))
            }
        }
    }
}
