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

    /// Four handlers run at once and no more: ten deliveries held at a gate until the test opens
    /// it; then every one is acked (a second consumer finds nothing).
    @Test func deliveriesAreHandledUpToTheQueuesConcurrency() async throws {
        let routingKey = TestBroker.uniqueName("test.busy")
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey], concurrency: 4)
        try await TestBroker.withQueue(queue) {
            let publisher = try TestBroker.publisher()
            for index in 0..<10 { try await publisher.publish(TestBroker.message(routingKey, "{\"index\":\(index)}")) }
            await publisher.close()
            let gate = Gate()
            let handled = Locked(0)
            try await TestBroker.whileConsuming(try TestBroker.consumer(queue), { _ in
                await gate.pass()
                handled.update { $0 += 1 }
                return .ack
            }) {
                try await waitUntil("four deliveries in flight") { gate.arrived == 4 }
                try await Task.sleep(for: .milliseconds(200))
                #expect(gate.arrived == 4, "more than the queue's concurrency in flight")
                gate.open()
                try await waitUntil("every delivery handled") { handled.value == 10 }
            }
            let again = Received()
            let left = try await TestBroker.whileConsuming(try TestBroker.consumer(queue), again.handler(.ack)) {
                try await again.wait(for: 1, timeout: .seconds(1))
            }
            #expect(left.isEmpty)
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
