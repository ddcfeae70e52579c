import GRPCCore
import PlatformCore
@testable import PlatformRPC
import ServiceLifecycle
import Testing

@Suite struct RPCClientsTests {
    struct EchoRequestID: Grpc_Health_V1_Health.SimpleServiceProtocol {
        func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
            -> Grpc_Health_V1_HealthCheckResponse
        {
            throw AppError(.notFound, RequestScope.requestID ?? "none")
        }
        func watch(
            request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
            context: ServerContext
        ) async throws {}
    }

    /// Over real HTTP/2 on loopback: one client per target, reused, forwarding the request id.
    @Test func oneLongLivedClientPerTargetCarriesTheRequestID() async throws {
        let server = RPCServerService(
            host: "127.0.0.1", port: 0, services: [EchoRequestID()], interceptors: [RequestMetadataServerInterceptor()])
        // Generous: the suite starts hundreds of tests at once, and this one is about the request id.
        let clients = RPCClients(defaultTimeout: .seconds(30))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.server.serve() }
            group.addTask { try await clients.run() }
            let port = try await server.listeningPort
            let first = try clients.client(host: "127.0.0.1", port: port)
            let second = try clients.client(host: "127.0.0.1", port: port)
            #expect(first === second)
            // A host name is resolved (containers name their peers): it once trapped as "not IPv4".
            let byName = Grpc_Health_V1_Health.Client(wrapping: try clients.client(host: "localhost", port: port))
            let reached = await #expect(throws: RPCError.self) { try await byName.check(Grpc_Health_V1_HealthCheckRequest()) }
            #expect(reached?.code == .notFound)  // the server's answer, not a connection failure
            let health = Grpc_Health_V1_Health.Client(wrapping: first)
            try await RequestScope.$requestID.withValue("req-99") { () async throws -> Void in
                let error = await #expect(throws: RPCError.self) {
                    try await health.check(Grpc_Health_V1_HealthCheckRequest())
                }
                #expect(error?.code == .notFound)
                #expect(error?.message == "req-99")
            }
            server.server.beginGracefulShutdown()
            first.beginGracefulShutdown()
            group.cancelAll()
        }
    }

    /// Answers every check with its own name, so a caller sees which replica served it.
    struct Replica: Grpc_Health_V1_Health.SimpleServiceProtocol {
        let name: String
        func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
            -> Grpc_Health_V1_HealthCheckResponse
        {
            throw AppError(.notFound, name)
        }
        func watch(
            request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
            context: ServerContext
        ) async throws {}
    }

    /// Two replicas on one machine (same port, two loopback addresses): calls go to both.
    @Test func callsSpreadOverEveryAddressOfAList() async throws {
        let first = RPCServerService(host: "127.0.0.1", port: 0, services: [Replica(name: "first")], interceptors: [])
        let clients = RPCClients(defaultTimeout: .seconds(30))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await first.server.serve() }
            let port = try await first.listeningPort
            let second = RPCServerService(host: "127.0.0.2", port: port, services: [Replica(name: "second")], interceptors: [])
            group.addTask { try await second.server.serve() }
            group.addTask { try await clients.run() }
            _ = try await second.listeningPort
            #expect(RPCClients.ipv4Addresses("127.0.0.1,127.0.0.2") == ["127.0.0.1", "127.0.0.2"])
            #expect(RPCClients.ipv4Addresses("127.0.0.1,product") == nil)
            #expect(RPCClients.ipv4Addresses("127.0.0.1,") == nil)
            let health = Grpc_Health_V1_Health.Client(wrapping: try clients.client(host: "127.0.0.1,127.0.0.2", port: port))
            var served: Set<String> = []
            for _ in 0..<20 {
                let error = await #expect(throws: RPCError.self) { try await health.check(Grpc_Health_V1_HealthCheckRequest()) }
                if let error, error.code == .notFound { served.insert(error.message) }
            }
            #expect(served == ["first", "second"])
            first.server.beginGracefulShutdown()
            second.server.beginGracefulShutdown()
            group.cancelAll()
        }
    }

    /// A peer that is not listening yet (restarting) is waited for within the call's deadline,
    /// not failed at once: gRPC's default failed fast for the whole reconnect backoff.
    @Test func aCallWaitsForAPeerThatComesBackWithinItsDeadline() async throws {
        // A port that was free a moment ago: the server comes up on it after the call was made.
        let probe = RPCServerService(host: "127.0.0.1", port: 0, services: [], interceptors: [])
        let port = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await probe.server.serve() }
            let port = try await probe.listeningPort
            probe.server.beginGracefulShutdown()
            try await group.waitForAll()
            return port
        }
        let clients = RPCClients(defaultTimeout: .seconds(10))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await clients.run() }
            let health = Grpc_Health_V1_Health.Client(wrapping: try clients.client(host: "127.0.0.1", port: port))
            let call = Task { try await health.check(Grpc_Health_V1_HealthCheckRequest()) }
            try await Task.sleep(for: .milliseconds(1500))
            let server = RPCServerService(host: "127.0.0.1", port: port, services: [Replica(name: "back")], interceptors: [])
            group.addTask { try await server.server.serve() }
            let error = await #expect(throws: RPCError.self) { try await call.value }
            #expect(error?.code == .notFound && error?.message == "back", "\(String(describing: error))")
            server.server.beginGracefulShutdown()
            group.cancelAll()
        }
    }
}
