import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle
import Synchronization

/// One long-lived gRPC client (and so one HTTP/2 connection) per target, shared by all requests.
///
/// A fresh channel per request was a defect of the earlier designs. Clients are created on
/// first use; `run()` drives their connections and closes them on graceful shutdown.
public final class RPCClients: Service, Sendable {
    public typealias Transport = HTTP2ClientTransport.Posix
    public typealias Client = GRPCClient<Transport>

    private let clients = Mutex<[String: Client]>([:])
    private let pending: AsyncStream<Client>
    private let pendingContinuation: AsyncStream<Client>.Continuation
    private let defaultTimeout: Duration

    /// - Parameter defaultTimeout: the deadline of every RPC that does not set its own.
    public init(defaultTimeout: Duration = .seconds(5)) {
        (pending, pendingContinuation) = AsyncStream.makeStream()
        self.defaultTimeout = defaultTimeout
    }

    /// The client for `host:port`, created once.
    public func client(host: String, port: Int) throws -> Client {
        let key = "\(host):\(port)"
        return try clients.withLock { clients in
            if let existing = clients[key] { return existing }
            let serviceConfig = ServiceConfig(methodConfig: [
                MethodConfig(names: [MethodConfig.Name(service: "")], timeout: defaultTimeout)
            ])
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: host, port: port), transportSecurity: .plaintext, serviceConfig: serviceConfig)
            let client = GRPCClient(transport: transport, interceptors: [RequestMetadataClientInterceptor()])
            clients[key] = client
            pendingContinuation.yield(client)
            return client
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await client in pending {
                    group.addTask { try? await client.runConnections() }
                }
            }
        } onGracefulShutdown: {
            self.pendingContinuation.finish()
            self.clients.withLock { clients in clients.values.forEach { $0.beginGracefulShutdown() } }
        }
    }
}
