import Foundation
import GRPCCore
import GatewayService
import IDMService
import PlatformConfig
import ServiceKit
import Testing

@Suite struct ServiceStartupTests {
    @Test func malformedPortNamesTheVariable() {
        #expect(throws: ConfigError(variable: "IDM_GRPC_PORT", problem: "must be an integer, got 'abc'")) {
            try ServiceSettings(ServiceManifest.idm, config: ConfigReader(["IDM_GRPC_PORT": "abc"]))
        }
    }

    @Test func defaultsFollowTheDesign() throws {
        let settings = try ServiceSettings(ServiceManifest.gateway, config: ConfigReader([:]))
        #expect(settings.httpPort == 5000)
        #expect(settings.bindHost == "127.0.0.1")
        #expect(settings.amqpURL != nil)
    }

    /// The gateway checks tokens with idm's published keys, so it does not start without idm
    /// (it retries for STARTUP_TIMEOUT, then gives up and exits).
    @Test func gatewayDoesNotStartWithoutIDM() async throws {
        let settings = try ServiceSettings(
            ServiceManifest.gateway,
            config: ConfigReader([
                "IDM_GRPC_PORT": "1", "STARTUP_TIMEOUT": "0.5", "AMQP_URL": "amqp://platform:x@127.0.0.1:1/%2F",
            ]))
        let started = ContinuousClock.now
        let error = await #expect(throws: RPCError.self) { _ = try await buildGatewayService(settings) }
        // Refused, or (on a loaded machine) the last attempt ran out of time: either way no start.
        #expect(error?.code == .unavailable || error?.code == .deadlineExceeded)
        #expect(ContinuousClock.now - started < .seconds(30))
    }
}
