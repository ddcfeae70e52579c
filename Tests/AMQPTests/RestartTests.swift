import AMQP
import Foundation
import TestSupport
import Testing

extension BrokerTests {
    @Test(.needs(TestServer(variable: "TEST_AMQP_RESTART_CMD")))
    func publisherAndConsumerResumeAfterABrokerRestart() async throws {
        let routingKey = TestBroker.uniqueName("test.restart")
        let queue = QueueSpec(name: TestBroker.uniqueName("test.events"), bindingKeys: [routingKey])
        try await TestBroker.withQueue(queue) {
            let publisher = try TestBroker.publisher()
            let received = Received()
            try await TestBroker.whileConsuming(try TestBroker.consumer(queue), received.handler(.ack)) {
                let before = TestBroker.message(routingKey)
                try await publisher.publish(before)
                _ = try await received.wait(for: 1)
                #expect(received.all.map(\.messageID) == [before.messageID])

                try await restartBroker()

                // The publisher reconnects on its own; while the broker still starts, publishing fails.
                let after = TestBroker.message(routingKey)
                let deadline = ContinuousClock.now + .seconds(60)
                while true {
                    do {
                        try await publisher.publish(after)
                        break
                    } catch let error as AMQPError where error.kind != .unroutable && ContinuousClock.now < deadline {
                        try await Task.sleep(for: .milliseconds(500))
                    }
                }
                let messages = try await received.wait(for: 2, timeout: .seconds(30))
                #expect(messages.map(\.messageID).contains(after.messageID))
            }
            try await publisher.checkHealth()
            await publisher.close()
        }
    }

    /// Runs `TEST_AMQP_RESTART_CMD` with `/bin/sh -c` and waits for the shell to exit.
    ///
    /// Not with Foundation's `Process`: on Linux it notices the exit through a descriptor the child
    /// inherits, so it waits forever when the command leaves the restarted broker running in the
    /// background. posix_spawn and waitpid (on a thread of their own) do not have that problem.
    private func restartBroker() async throws {
        let command = try TestServer(variable: "TEST_AMQP_RESTART_CMD").require()
        let status = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            Thread {
                var arguments: [UnsafeMutablePointer<CChar>?] = 
                    ["/bin/sh", "-c", command].map { (argument: String) in strdup(argument) } + [nil]
                defer { arguments.forEach { free($0) } }
                var pid: pid_t = 0
                guard posix_spawn(&pid, "/bin/sh", nil, nil, &arguments, environ) == 0 else {
                    return continuation.resume(returning: -1)
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: status)
            }.start()
        }
        #expect(status == 0, "the restart command failed (wait status \(status))")
    }
}
