import Foundation
import GatewayService
import Hummingbird
import HummingbirdTesting
import IDMService
import PlatformConfig
import ServiceKit
import Testing

@Suite struct ServiceStartupTests {
    @Test func malformedPortNamesTheVariable() {
        #expect(throws: ConfigError(variable: "IDM_GRPC_PORT", problem: "must be an integer, got 'abc'")) {
            try ServiceSettings(idmDescriptor, config: ConfigReader(["IDM_GRPC_PORT": "abc"]))
        }
    }

    @Test func defaultsFollowTheDesign() throws {
        let settings = try ServiceSettings(gatewayDescriptor, config: ConfigReader([:]))
        #expect(settings.httpPort == 5000)
        #expect(settings.bindHost == "127.0.0.1")
        #expect(settings.amqpURL != nil)
    }

    /// The gateway's only dependency is the broker: with nothing listening, it is alive but not ready.
    @Test func gatewayIsNotReadyWithoutBroker() async throws {
        let settings = try ServiceSettings(
            gatewayDescriptor, config: ConfigReader(["AMQP_URL": "amqp://platform:x@127.0.0.1:1/%2F"]))
        let runtime = try await buildGatewayService(settings)
        let app = Application(router: runtime.makeRouter())
        try await app.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains(#""broker":"unavailable""#))
            }
        }
    }
}
