import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle
import Synchronization

/// One long-lived gRPC client (and so one HTTP/2 connection) per target, shared by all requests.
///
/// A fresh channel per request was a defect of the earlier designs. Clients are created on
/// first use and their connections run from then on, so start-up code may call other services
/// before the service group runs; `run()` closes them all on graceful shutdown.
public final class RPCClients: Service, Sendable {
    public typealias Transport = HTTP2ClientTransport.Posix
    public typealias Client = GRPCClient<Transport>

    private let clients = Mutex<[String: (client: Client, connections: Task<Void, Never>)]>([:])
    private let defaultTimeout: Duration

    /// - Parameter defaultTimeout: the deadline of every RPC that does not set its own.
    public init(defaultTimeout: Duration = .seconds(5)) {
        self.defaultTimeout = defaultTimeout
    }

    /// The client for `host:port`, created once.
    public func client(host: String, port: Int) throws -> Client {
        let key = "\(host):\(port)"
        return try clients.withLock { clients in
            if let existing = clients[key] { return existing.client }
            let serviceConfig = ServiceConfig(methodConfig: [
                MethodConfig(names: [MethodConfig.Name(service: "")], timeout: defaultTimeout)
            ])
            // A peer is an address on one machine, a name in containers (looked up again and
            // again: a restarted container comes back under a new address).
            var resolvers = NameResolverRegistry.defaults
            resolvers.registerFactory(RefreshingDNSResolverFactory())
            let transport =
                Self.isIPv4Address(host)
                ? try HTTP2ClientTransport.Posix(
                    target: .ipv4(address: host, port: port), transportSecurity: .plaintext, serviceConfig: serviceConfig)
                : try HTTP2ClientTransport.Posix(
                    target: RefreshingDNSTarget(host: host, port: port), transportSecurity: .plaintext,
                    resolverRegistry: resolvers, serviceConfig: serviceConfig)
            let client = GRPCClient(transport: transport, interceptors: [RequestMetadataClientInterceptor()])
            clients[key] = (client, Task { try? await client.runConnections() })
            return client
        }
    }

    /// Dotted-decimal IPv4 (`127.0.0.1`); anything else is a host name.
    static func isIPv4Address(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && Int(part)! <= 255
        }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        let running = clients.withLock { $0.values.map { $0 } }
        for entry in running { entry.client.beginGracefulShutdown() }
        for entry in running { await entry.connections.value }
    }
}
