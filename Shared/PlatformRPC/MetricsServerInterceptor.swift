import GRPCCore
import Metrics
import PlatformMetrics

/// Counts RPCs and records their latency per method and status code, next to the HTTP metrics
/// at `/metrics` (`grpc_server_requests`, `grpc_server_request_duration`). The handles are made
/// once per method and code, not looked up in the registry on every call.
public struct MetricsServerInterceptor: ServerInterceptor {
    private struct Outcome: Hashable, Sendable {
        let method: String
        let code: String
    }

    private let counters = MetricHandles<Outcome, Counter>()
    private let timers = MetricHandles<String, Timer>()

    public init() {}

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let start = ContinuousClock.now
        var code = "ok"
        defer {
            let method = context.descriptor.fullyQualifiedMethod
            counter(method, code).increment()
            timer(method).recordNanoseconds(Int64((ContinuousClock.now - start) / .nanoseconds(1)))
        }
        do {
            return try await next(request, context)
        } catch {
            let rpcCode = (error as? RPCError)?.code ?? (error as? any RPCErrorConvertible)?.rpcErrorCode ?? .unknown
            code = "\(rpcCode)"
            throw error
        }
    }

    private func counter(_ method: String, _ code: String) -> Counter {
        counters.handle(Outcome(method: method, code: code)) {
            Counter(label: "grpc_server_requests", dimensions: [("rpc_method", method), ("rpc_code", code)])
        }
    }

    private func timer(_ method: String) -> Timer {
        timers.handle(method) { Timer(label: "grpc_server_request_duration", dimensions: [("rpc_method", method)]) }
    }
}
