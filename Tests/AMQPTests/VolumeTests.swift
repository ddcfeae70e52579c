import AMQP
import Foundation
import TestSupport
import Testing

extension BrokerTests {
    @Test func thousandMessagesArriveWithNoneLost() async throws {
        let count = 1_000
        let routingKey = TestBroker.uniqueName("test.volume")
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey])
        try await TestBroker.withQueue(queue) {
            let publisher = try TestBroker.publisher()
            let messages = (0..<count).map { TestBroker.message(routingKey, #"{"n":\#($0)}"#) }

            // One by one, each waiting for its confirm.
            let sequentialStart = ContinuousClock.now
            for message in messages[..<(count / 2)] { try await publisher.publish(message) }
            let sequential = ContinuousClock.now - sequentialStart

            // The other half in batches of 100.
            let batchStart = ContinuousClock.now
            for start in stride(from: count / 2, to: count, by: 100) {
                let results = await publisher.publish(batch: Array(messages[start..<(start + 100)]))
                for result in results { try result.get() }
            }
            let batched = ContinuousClock.now - batchStart
            await publisher.close()

            let received = Received()
            let consumeStart = ContinuousClock.now
            let (all, consumed) = try await TestBroker.whileConsuming(try TestBroker.consumer(queue), received.handler(.ack)) {
                (try await received.wait(for: count, timeout: .seconds(60)), ContinuousClock.now - consumeStart)
            }

            #expect(Set(all.compactMap(\.messageID)) == Set(messages.map(\.messageID)))
            #expect(all.count == count)
            print(
                "AMQP throughput: publish+confirm sequential \(rate(count / 2, sequential)) msg/s, "
                    + "batched(100) \(rate(count / 2, batched)) msg/s, consume+ack \(rate(count, consumed)) msg/s"
            )
        }
    }

    private func rate(_ count: Int, _ duration: Duration) -> Int {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return Int(Double(count) / max(seconds, 1e-9))
    }
}
