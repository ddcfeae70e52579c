import GRPCCore
import ServiceLifecycle

/// The standard `grpc.health.v1.Health` service, answering from the same readiness checks as `/ready`.
///
/// The overall server (`""`) and the service's own name are known; any other name is `NOT_FOUND`
/// for `Check` and `SERVICE_UNKNOWN` for `Watch`, as the protocol specifies.
public struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private let serviceNames: Set<String>
    private let isServing: @Sendable () async -> Bool
    private let watchInterval: Duration

    public init(serviceNames: Set<String>, watchInterval: Duration = .seconds(1), isServing: @escaping @Sendable () async -> Bool) {
        self.serviceNames = serviceNames.union([""])
        self.isServing = isServing
        self.watchInterval = watchInterval
    }

    public func check(
        request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
    ) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard serviceNames.contains(request.service) else {
            throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
        }
        let status = await currentStatus()
        return .with { $0.status = status }
    }

    /// Sends the current status, then every change, until the client goes away or the server
    /// shuts down gracefully (an endless stream would otherwise hold the shutdown forever).
    public func watch(
        request: Grpc_Health_V1_HealthCheckRequest,
        response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        try await cancelWhenGracefulShutdown {
            var last: Status?
            while !Task.isCancelled && !context.cancellation.isCancelled {
                let status = serviceNames.contains(request.service) ? await currentStatus() : .serviceUnknown
                if status != last {
                    try await response.write(.with { $0.status = status })
                    last = status
                }
                try await Task.sleep(for: watchInterval)
            }
        }
    }

    private func currentStatus() async -> Status {
        await isServing() ? .serving : .notServing
    }
}

extension ServerContext {
    /// A call of the gRPC health service: probes' checks, which are neither traced nor asked who calls.
    var isHealthCheck: Bool { descriptor.service == Grpc_Health_V1_Health.descriptor }
}
