import GRPCCore
import GRPCInProcessTransport
import PlatformCore
import PlatformRPC
import ServiceKit
import Synchronization

/// A service's gRPC server on the in-process transport, with exactly the services and
/// interceptors it serves in production, its background services (relays, sweepers), and a
/// client connected to it; all run until `body` returns.
public func withInProcessRPC<T: Sendable>(
    _ runtime: ServiceRuntime, faults: FaultInjector? = nil, _ body: (GRPCClient<InProcessTransport.Client>) async throws -> T
) async throws -> T {
    let transport = InProcessTransport()
    let server = runtime.makeRPCServer(transport: transport.server)
    var interceptors: [any ClientInterceptor] = [RequestMetadataClientInterceptor()]
    if let faults { interceptors.append(faults.interceptor(for: runtime.settings.name)) }
    let client = GRPCClient(transport: transport.client, interceptors: interceptors)
    return try await runtime.withBackgroundServices {
        try await serve(server, client, body)
    }
}

/// Several services at once, as `withInProcessRPC` serves one; `body` gets their clients by name.
public func withInProcessRPC<T: Sendable>(
    _ runtimes: [ServiceRuntime], faults: FaultInjector? = nil,
    _ body: ([String: GRPCClient<InProcessTransport.Client>]) async throws -> T
) async throws -> T {
    guard let first = runtimes.first else { return try await body([:]) }
    return try await withInProcessRPC(first, faults: faults) { client in
        try await withInProcessRPC(Array(runtimes.dropFirst()), faults: faults) { others in
            try await body(others.merging([first.settings.name: client]) { _, new in new })
        }
    }
}

private func serve<T: Sendable>(
    _ server: GRPCServer<InProcessTransport.Server>, _ client: GRPCClient<InProcessTransport.Client>,
    _ body: (GRPCClient<InProcessTransport.Client>) async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.serve() }
        group.addTask { try await client.runConnections() }
        do {
            let result = try await body(client)
            client.beginGracefulShutdown()
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            client.beginGracefulShutdown()
            server.beginGracefulShutdown()
            group.cancelAll()
            throw error
        }
    }
}

/// Makes calls to chosen services fail as if they were down (`UNAVAILABLE`), or wait until the
/// test lets them through, to see how callers answer an outage or a slow peer.
public final class FaultInjector: Sendable {
    private let down = Mutex<Set<String>>([])
    private let held = Mutex<[String: Gate]>([:])

    public init() {}

    /// Calls to `service` wait until `release(service)`, as if it answered slowly; the gate
    /// returned counts the calls that arrived.
    public func hold(_ service: String) -> Gate {
        held.withLock { held in
            let gate = Gate()
            held[service] = gate
            return gate
        }
    }

    public func release(_ service: String) { held.withLock { $0.removeValue(forKey: service) }?.open() }

    public func takeDown(_ service: String) { down.withLock { _ = $0.insert(service) } }
    public func bringUp(_ service: String) { down.withLock { _ = $0.remove(service) } }

    /// While `service` is down, `body` runs.
    public func whileDown<T>(_ service: String, _ body: () async throws -> T) async rethrows -> T {
        takeDown(service)
        defer { bringUp(service) }
        return try await body()
    }

    func interceptor(for service: String) -> some ClientInterceptor { Interceptor(service: service, faults: self) }

    func isDown(_ service: String) -> Bool { down.withLock { $0.contains(service) } }

    private struct Interceptor: ClientInterceptor {
        let service: String
        let faults: FaultInjector

        func intercept<Input: Sendable, Output: Sendable>(
            request: StreamingClientRequest<Input>, context: ClientContext,
            next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
        ) async throws -> StreamingClientResponse<Output> {
            guard !faults.isDown(service) else { throw RPCError(code: .unavailable, message: "\(service) is down") }
            if let gate = faults.held.withLock({ $0[service] }) { await gate.pass() }
            return try await next(request, context)
        }
    }
}
