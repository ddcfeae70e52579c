import AMQP
import Testing

@Suite struct ConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try AMQPConfiguration(
            url: "amqp://svc:s%40cret@rabbit.local:5673/prod%2Fa?heartbeat=10&connection_timeout=1500",
            connectionName: "payment"
        )
        #expect(configuration.host == "rabbit.local")
        #expect(configuration.port == 5673)
        #expect(configuration.user == "svc")
        #expect(configuration.password == "s@cret")
        #expect(configuration.vhost == "prod/a")
        #expect(configuration.heartbeatSeconds == 10)
        #expect(configuration.connectTimeout == .milliseconds(1500))
        #expect(configuration.connectionName == "payment")
        #expect(!configuration.description.contains("s@cret"))
    }

    @Test(arguments: [
        ("amqp://localhost", "/"),
        ("amqp://localhost/", "/"),
        ("amqp://localhost/%2F", "/"),
        ("amqp://localhost/platform", "platform"),
    ])
    func decodesTheVhost(url: String, vhost: String) throws {
        let configuration = try AMQPConfiguration(url: url, connectionName: "test")
        #expect(configuration.vhost == vhost)
        #expect(configuration.port == 5672)
        #expect(configuration.user == "guest")
    }

    @Test(arguments: ["http://localhost", "amqps://localhost", "amqp://", "not a url", "amqp://h/a/b", "amqp://h?heartbeat=x"])
    func rejectsUnusableURLs(url: String) {
        #expect {
            try AMQPConfiguration(url: url, connectionName: "test")
        } throws: { ($0 as? AMQPError)?.kind == .invalidConfiguration }
    }

    @Test func queueSpecDefaults() {
        let queue = QueueSpec(service: "payment", bindingKeys: ["order.created"])
        #expect(queue.name == "payment.events")
        #expect(queue.deadLetterQueueName == "payment.events.dead")
        #expect(queue.deliveryLimit == 5)
        #expect(queue.prefetch == 16)
        #expect(queue.deadLetters.name == "payment.events.dead")
        #expect(queue.deadLetters.bindingKeys.isEmpty)
        #expect(EventTopology().exchange == "platform.events")
        #expect(EventTopology().deadLetterExchange == "platform.events.dlx")
    }
}
