@testable import AMQP
import DatabaseKit
import EventKit
import Foundation
import Postgres
import Testing

/// The outbox on Postgres published by the relay to the live broker.
@Suite(
    "Postgres outbox and relay",
    .enabled(if: IdentityDatabase.isConfigured, IdentityDatabase.skipReason),
    .enabled(if: ProcessInfo.processInfo.environment["TEST_AMQP_URL"] != nil, "TEST_AMQP_URL is not set"))
struct PostgresOutboxRelayTests {
    static func amqp() throws -> AMQPConfiguration {
        try AMQPConfiguration(url: ProcessInfo.processInfo.environment["TEST_AMQP_URL"] ?? "", connectionName: "identity-tests")
    }

    func withOutbox<T>(maxConnections: Int = 4, _ body: (PostgresClient) async throws -> T) async throws -> T {
        try await IdentityDatabase.withSchema(
            migrations: [try IdentityDatabase.eventTables(outbox: true, inbox: false)], maxConnections: maxConnections, body)
    }

    /// Declares `queue` (and its `.dead` queue), runs `body`, then deletes both.
    func withQueue<T>(_ queue: QueueSpec, _ body: () async throws -> T) async throws -> T {
        let configuration = try Self.amqp()
        try await AMQPConsumer(configuration: configuration, queue: queue, logger: Fixtures.quietLogger).declareTopology()
        let delete: @Sendable () async throws -> Void = {
            try await AMQPConnectionHandle.withTemporary(configuration, role: "identity-tests cleanup") { handle in
                try handle.deleteQueue(queue.name)
                try handle.deleteQueue(queue.deadLetterQueueName)
            }
        }
        do {
            let result = try await body()
            try await delete()
            return result
        } catch {
            try? await delete()
            throw error
        }
    }

    func append(_ events: [DomainEvent], to client: PostgresClient) async throws {
        try await client.transaction { connection in
            for event in events { try connection.appendToOutbox(event) }
        }
    }

    @Test func committedEventsArePublishedWithTheirIDsAndMarkedPublished() async throws {
        let routingKey = "identitytest.\(UUID().uuidString.prefix(8).lowercased()).created"
        let queue = QueueSpec(name: "identity-tests.\(UUID().uuidString.prefix(8).lowercased())", bindingKeys: [routingKey])
        try await withOutbox { client in
            try await withQueue(queue) {
                let start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
                let events = (0..<3).map { index in
                    DomainEvent(
                        type: routingKey, payload: #"{"index":\#(index)}"#, correlationID: "request-\(index)",
                        occurredAt: start.addingTimeInterval(Double(index)))
                }
                try await append(events, to: client)

                let publisher = AMQPPublisher(configuration: try Self.amqp(), logger: Fixtures.quietLogger)
                let relay = OutboxRelay(store: PostgresOutboxStore(client: client), publisher: publisher, logger: Fixtures.quietLogger)
                let published = await relay.drain()
                await publisher.close()
                #expect(published == 3)

                let rows = try await client.query("SELECT id, published_at, claimed_until, attempts FROM outbox ORDER BY created_at")
                #expect(try rows.map { try $0.required("id", $0.uuid) } == events.map(\.id))
                for row in rows {
                    #expect(try row.isNull("published_at") == false)
                    #expect(try row.isNull("claimed_until"))
                    #expect(try row.int("attempts") == 1)
                }

                let received = Locked<[IncomingMessage]>([])
                let consumer = AMQPConsumer(configuration: try Self.amqp(), queue: queue, logger: Fixtures.quietLogger)
                let task = Task {
                    try await consumer.run { message in
                        received.update { $0.append(message) }
                        return .ack
                    }
                }
                let deadline = ContinuousClock.now + .seconds(15)
                while received.value.count < 3 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                task.cancel()
                _ = await task.result

                let messages = received.value
                #expect(messages.map(\.messageID) == events.map { $0.id.uuidString.lowercased() })
                #expect(messages.map(\.routingKey) == Array(repeating: routingKey, count: 3))
                #expect(messages.map(\.type) == Array(repeating: routingKey, count: 3))
                #expect(messages.map { String(decoding: $0.body, as: UTF8.self) } == events.map(\.payload))
                #expect(messages.map(\.correlationID) == events.map(\.correlationID))

                // Nothing is left to publish.
                #expect(await relay.drain() == 0)
            }
        }
    }

    @Test func concurrentClaimsNeverReturnTheSameRow() async throws {
        try await withOutbox(maxConnections: 4) { client in
            let store = PostgresOutboxStore(client: client)
            for round in 0..<5 {
                let start = Date()
                let events = (0..<40).map { index in
                    DomainEvent(
                        type: "identitytest.claimed", payload: #"{"round":\#(round),"index":\#(index)}"#, correlationID: nil,
                        occurredAt: start.addingTimeInterval(Double(index) / 1000))
                }
                try await append(events, to: client)

                let claims = try await withThrowingTaskGroup(of: [UUID].self) { group in
                    for _ in 0..<4 {
                        group.addTask { try await store.claim(limit: 15, lease: .seconds(60)).map(\.event.id) }
                    }
                    return try await group.reduce(into: [[UUID]]()) { $0.append($1) }
                }
                let all = claims.flatMap { $0 }
                #expect(Set(all).count == all.count, "a row was claimed twice in round \(round)")
                #expect(Set(all) == Set(events.map(\.id)), "round \(round) left rows unclaimed")

                // Everything is leased now: nobody gets anything until the leases end.
                #expect(try await store.claim(limit: 100, lease: .seconds(60)).isEmpty)
                try await store.markPublished(events.map(\.id))
            }
        }
    }

    @Test func aFailedRowComesBackAfterItsRetryDelay() async throws {
        try await withOutbox { client in
            let store = PostgresOutboxStore(client: client)
            let event = DomainEvent(type: "identitytest.retried", payload: "{}", correlationID: nil)
            try await append([event], to: client)
            #expect(try await store.claim(limit: 10, lease: .seconds(60)).map(\.event.id) == [event.id])
            try await store.markFailed([event.id], error: "the broker is down", retryAfter: .milliseconds(200))
            #expect(try await store.claim(limit: 10, lease: .seconds(60)).isEmpty)
            try await Task.sleep(for: .milliseconds(400))
            let again = try await store.claim(limit: 10, lease: .seconds(60))
            #expect(again.map(\.event.id) == [event.id])
            #expect(again.first?.attempts == 2)
            let row = try #require(try await client.query("SELECT last_error FROM outbox").first)
            #expect(try row.string("last_error") == "the broker is down")
        }
    }
}
