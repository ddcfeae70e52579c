import AMQP
import Foundation
import TestSupport
import Testing

extension BrokerTests {
    @Test func confirmedMessageArrivesWithAllProperties() async throws {
        let routingKey = TestBroker.uniqueName("test.created")
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey])
        try await TestBroker.withQueue(queue) {
            let publisher = try TestBroker.publisher()
            let sent = OutgoingMessage(
                routingKey: routingKey,
                body: Array(#"{"order_id":"42","total_cents":1250}"#.utf8),
                messageID: UUID().uuidString,
                type: "order.created",
                timestamp: Date(timeIntervalSince1970: 1_790_000_000),
                correlationID: "request-7",
                headers: ["x-source": "tests"]
            )
            try await publisher.publish(sent)
            try await publisher.checkHealth()
            await publisher.close()

            let received = Received()
            let messages = try await TestBroker.whileConsuming(try TestBroker.consumer(queue), received.handler(.ack)) {
                try await received.wait(for: 1)
            }
            let message = try #require(messages.first)
            #expect(messages.count == 1)
            #expect(message.body == sent.body)
            #expect(message.routingKey == routingKey)
            #expect(message.exchange == "platform.events")
            #expect(message.messageID == sent.messageID)
            #expect(message.type == "order.created")
            #expect(message.timestamp == sent.timestamp)
            #expect(message.correlationID == "request-7")
            #expect(message.contentType == "application/json")
            #expect(message.headers["x-source"] == "tests")
            #expect(!message.redelivered)
            #expect(message.deliveryCount == 0)

            // Acked: a second consumer of the queue gets nothing.
            let again = Received()
            let redelivered = try await TestBroker.whileConsuming(try TestBroker.consumer(queue), again.handler(.ack)) {
                try await again.wait(for: 1, timeout: .seconds(1.5))
            }
            #expect(redelivered.isEmpty)
        }
    }

    @Test func unroutablePublishThrowsAndThePublisherKeepsWorking() async throws {
        let publisher = try TestBroker.publisher()
        await #expect {
            try await publisher.publish(TestBroker.message(TestBroker.uniqueName("test.nobody")))
        } throws: { ($0 as? AMQPError)?.kind == .unroutable }

        let routingKey = TestBroker.uniqueName("test.somebody")
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey])
        try await TestBroker.withQueue(queue) {
            try await publisher.publish(TestBroker.message(routingKey))
            let results = await publisher.publish(batch: [
                TestBroker.message(routingKey), TestBroker.message("test.nobody.\(UUID())"), TestBroker.message(routingKey),
            ])
            #expect(results.map { (try? $0.get()) != nil } == [true, false, true])
        }
        await publisher.close()
        await #expect(throws: AMQPError.self) { try await publisher.publish(TestBroker.message(routingKey)) }
    }

    @Test func aQueueWithOtherArgumentsIsRefusedNotReplaced() async throws {
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: ["test.x"], deliveryLimit: 3)
        try await TestBroker.withQueue(queue) {
            var changed = queue
            changed.deliveryLimit = 4
            await #expect {
                try await TestBroker.consumer(changed).declareTopology()
            } throws: { ($0 as? AMQPError)?.kind == .topologyMismatch }
            await #expect {
                try await TestBroker.consumer(changed).run { _ in .ack }
            } throws: { ($0 as? AMQPError)?.kind == .topologyMismatch }
            try await TestBroker.consumer(queue).declareTopology()
        }
    }

    @Test func anUnreachableBrokerFailsFast() async throws {
        var configuration = try TestBroker.configuration()
        configuration.port = 1
        let publisher = AMQPPublisher(configuration: configuration, logger: TestBroker.logger)
        let start = ContinuousClock.now
        await #expect {
            try await publisher.checkHealth()
        } throws: { ($0 as? AMQPError)?.kind == .connectionFailed }
        await #expect {
            try await publisher.publish(TestBroker.message("test.x"))
        } throws: { ($0 as? AMQPError)?.kind == .connectionFailed }
        #expect(ContinuousClock.now - start < .seconds(8))
        await publisher.close()
    }
}
