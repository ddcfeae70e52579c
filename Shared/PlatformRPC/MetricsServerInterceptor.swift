import GRPCCore
import Metrics

/// Counts RPCs and records their latency per method and status code, next to the HTTP metrics
/// at `/metrics` (`grpc_server_requests`, `grpc_server_request_duration`).
public struct MetricsServerInterceptor: ServerInterceptor {
    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let start = ContinuousClock.now
        var code = "ok"
        defer {
            let dimensions = [("rpc_method", context.descriptor.fullyQualifiedMethod), ("rpc_code", code)]
            Counter(label: "grpc_server_requests", dimensions: dimensions).increment()
            Timer(label: "grpc_server_request_duration", dimensions: [dimensions[0]])
                .recordNanoseconds(Int64((ContinuousClock.now - start) / .nanoseconds(1)))
        }
        do {
            return try await next(request, context)
        } catch {
            let rpcCode = (error as? RPCError)?.code ?? (error as? any RPCErrorConvertible)?.rpcErrorCode ?? .unknown
            code = "\(rpcCode)"
            throw error
        }
    }
}
