import AMQP
import Foundation
import TestSupport
import Testing

extension BrokerTests {
    @Test func rejectedMessageIsDeadLettered() async throws {
        let routingKey = TestBroker.uniqueName("test.rejected")
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey])
        try await TestBroker.withQueue(queue) {
            let publisher = try TestBroker.publisher()
            let sent = TestBroker.message(routingKey, #"{"bad":true}"#)
            try await publisher.publish(sent)
            await publisher.close()

            let received = Received()
            _ = try await TestBroker.whileConsuming(try TestBroker.consumer(queue), received.handler(.reject)) {
                try await received.wait(for: 1)
            }
            #expect(received.all.count == 1)

            let dead = try await deadLetters(of: queue, count: 1)
            let message = try #require(dead.first)
            #expect(message.messageID == sent.messageID)
            #expect(message.body == sent.body)
            #expect(message.headers["x-first-death-reason"] == "rejected")
            #expect(message.headers["x-first-death-queue"] == queue.name)
        }
    }

    @Test func retriedMessageIsRedeliveredThenDeadLetteredAtTheLimit() async throws {
        let routingKey = TestBroker.uniqueName("test.retried")
        let queue = QueueSpec(
            name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey],
            deliveryLimit: 2, retryBackoff: .milliseconds(10)
        )
        try await TestBroker.withQueue(queue) {
            let publisher = try TestBroker.publisher()
            let sent = TestBroker.message(routingKey)
            try await publisher.publish(sent)
            await publisher.close()

            let received = Received()
            let dead = try await TestBroker.whileConsuming(try TestBroker.consumer(queue), received.handler(.retry)) {
                try await deadLetters(of: queue, count: 1)
            }
            let deliveries = received.all
            // The first delivery and `deliveryLimit` redeliveries, then the broker dead-letters it.
            #expect(deliveries.count == queue.deliveryLimit + 1)
            #expect(deliveries.map(\.deliveryCount) == Array(0...queue.deliveryLimit))
            #expect(deliveries.map(\.redelivered) == [false] + Array(repeating: true, count: queue.deliveryLimit))
            #expect(deliveries.allSatisfy { $0.messageID == sent.messageID })
            let message = try #require(dead.first)
            #expect(message.messageID == sent.messageID)
            #expect(message.headers["x-first-death-reason"] == "delivery_limit")
        }
    }

    @Test func retriedMessageSucceedsOnALaterDelivery() async throws {
        let routingKey = TestBroker.uniqueName("test.flaky")
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey], retryBackoff: .milliseconds(10))
        try await TestBroker.withQueue(queue) {
            let publisher = try TestBroker.publisher()
            try await publisher.publish(TestBroker.message(routingKey))
            await publisher.close()

            let received = Received()
            let handler: @Sendable (IncomingMessage) async -> ConsumeOutcome = { message in
                received.append(message)
                return message.deliveryCount < 2 ? .retry : .ack
            }
            let deliveries = try await TestBroker.whileConsuming(try TestBroker.consumer(queue), handler) {
                try await received.wait(for: 3)
            }
            #expect(deliveries.count == 3)
            #expect(deliveries.last?.redelivered == true)
            let dead = try await deadLetters(of: queue, count: 1, timeout: .seconds(1.5))
            #expect(dead.isEmpty)
        }
    }

    /// Consumes (and acks) the `.dead` queue of `queue` until `count` messages arrived.
    private func deadLetters(of queue: QueueSpec, count: Int, timeout: Duration = .seconds(15)) async throws -> [IncomingMessage] {
        let received = Received()
        return try await TestBroker.whileConsuming(try TestBroker.consumer(queue.deadLetters), received.handler(.ack)) {
            try await received.wait(for: count, timeout: timeout)
        }
    }
}
