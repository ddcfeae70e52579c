import GRPCCore
import GRPCInProcessTransport
import PlatformCore
import PlatformRPC
import Synchronization
import Testing

@testable import ServiceKit

final class ServingFlag: Sendable {
    private let state = Mutex(true)
    var value: Bool { state.withLock { $0 } }
    func set(_ newValue: Bool) { state.withLock { $0 = newValue } }
}

@Suite struct GRPCFrameTests {
    /// Runs a server with the health service over the in-process transport and hands a client to `body`.
    func withHealthServer(
        serving: ServingFlag, _ body: (Grpc_Health_V1_Health.Client<InProcessTransport.Client>) async throws -> Void
    ) async throws {
        let transport = InProcessTransport()
        let health = HealthService(serviceNames: ["idm"], watchInterval: .milliseconds(20)) {
            serving.value
        }
        let server = GRPCServer(transport: transport.server, services: [health])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await withGRPCClient(transport: transport.client) { client in
                try await body(Grpc_Health_V1_Health.Client(wrapping: client))
            }
            server.beginGracefulShutdown()
        }
    }

    @Test func checkFollowsReadiness() async throws {
        let serving = ServingFlag()
        try await withHealthServer(serving: serving) { (health) async throws -> Void in
            let before = try await health.check(Grpc_Health_V1_HealthCheckRequest.with { $0.service = "" })
            #expect(before.status == .serving)
            serving.set(false)
            let after = try await health.check(Grpc_Health_V1_HealthCheckRequest.with { $0.service = "idm" })
            #expect(after.status == .notServing)
            await #expect(throws: RPCError.self) { try await health.check(Grpc_Health_V1_HealthCheckRequest.with { $0.service = "nope" }) }
        }
    }

    @Test func watchStreamsChanges() async throws {
        let serving = ServingFlag()
        try await withHealthServer(serving: serving) { (health) async throws -> Void in
            let seen = try await health.watch(Grpc_Health_V1_HealthCheckRequest.with { $0.service = "" }) { response in
                var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
                for try await message in response.messages {
                    statuses.append(message.status)
                    if statuses.count == 1 { serving.set(false) }
                    if statuses.count == 2 { break }
                }
                return statuses
            }
            #expect(seen == [.serving, .notServing])
        }
    }

    @Test func interceptorsCarryRequestIDAndTranslateErrors() async throws {
        struct Echo: Grpc_Health_V1_Health.SimpleServiceProtocol {
            func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
                -> Grpc_Health_V1_HealthCheckResponse
            {
                switch request.service {
                case "request-id": throw AppError(.notFound, RequestScope.requestID ?? "none")
                case "bug": throw CancellationError()
                default: throw AppError(.permissionDenied, "staff only")
                }
            }
            func watch(
                request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
                context: ServerContext
            ) async throws {}
        }
        let transport = InProcessTransport()
        let server = GRPCServer(
            transport: transport.server, services: [Echo()],
            interceptors: [RequestMetadataServerInterceptor(), ErrorTranslationInterceptor(logger: .init(label: "test"))])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await withGRPCClient(transport: transport.client, interceptors: [RequestMetadataClientInterceptor()]) {
                (client) async throws -> Void in
                let health = Grpc_Health_V1_Health.Client(wrapping: client)
                try await RequestScope.$requestID.withValue("req-42") { () async throws -> Void in
                    let error = await #expect(throws: RPCError.self) { try await health.check(Grpc_Health_V1_HealthCheckRequest.with { $0.service = "request-id" }) }
                    #expect(error?.code == .notFound)
                    #expect(error?.message == "req-42")
                }
                let denied = await #expect(throws: RPCError.self) { try await health.check(Grpc_Health_V1_HealthCheckRequest.with { $0.service = "x" }) }
                #expect(denied?.code == .permissionDenied)
                let bug = await #expect(throws: RPCError.self) { try await health.check(Grpc_Health_V1_HealthCheckRequest.with { $0.service = "bug" }) }
                #expect(bug?.code == .internalError)
                #expect(bug?.message == "internal error")
            }
            server.beginGracefulShutdown()
        }
    }
}
