import AMQP
import Foundation
import TestSupport
import Testing

extension BrokerTests {
    @Test func slowHandlersAndIdlePublishersKeepTheirConnections() async throws {
        var configuration = try TestBroker.configuration()
        configuration.heartbeatSeconds = 1
        let (logger, log) = CapturedLog.logger()
        let routingKey = TestBroker.uniqueName("test.slow")
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey])
        try await TestBroker.withQueue(queue) {
            let publisher = AMQPPublisher(configuration: configuration, logger: logger)
            let consumer = AMQPConsumer(configuration: configuration, queue: queue, logger: logger)
            let first = TestBroker.message(routingKey)
            let second = TestBroker.message(routingKey)
            try await publisher.publish(first)

            let received = Received()
            try await TestBroker.whileConsuming(consumer, { message in
                received.append(message)
                // Four heartbeat intervals: the broker would close a connection that went quiet for two.
                try? await Task.sleep(for: .seconds(4))
                return .ack
            }) {
                _ = try await received.wait(for: 1)
                try await Task.sleep(for: .seconds(4))
                try await publisher.publish(second)
                _ = try await received.wait(for: 2)
            }
            await publisher.close()

            #expect(received.all.map(\.messageID) == [first.messageID, second.messageID])
            #expect(received.all.allSatisfy { !$0.redelivered })
            #expect(log.messages.withLock { $0 } == [])
        }
    }

    @Test func consumerRedeclaresItsQueueAfterItWasDeleted() async throws {
        let routingKey = TestBroker.uniqueName("test.deleted")
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey])
        try await TestBroker.withQueue(queue) {
            let publisher = try TestBroker.publisher()
            let received = Received()
            try await TestBroker.whileConsuming(try TestBroker.consumer(queue), received.handler(.ack)) {
                try await publisher.publish(TestBroker.message(routingKey))
                _ = try await received.wait(for: 1)

                try await TestBroker.deleteQueues(of: queue)
                let again = TestBroker.message(routingKey)
                let deadline = ContinuousClock.now + .seconds(15)
                while true {
                    do {
                        try await publisher.publish(again)
                        break
                    } catch let error as AMQPError where error.kind == .unroutable && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                let messages = try await received.wait(for: 2)
                #expect(messages.last?.messageID == again.messageID)
            }
            await publisher.close()
        }
    }
}
