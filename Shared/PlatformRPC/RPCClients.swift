import GRPCCore
import GRPCNIOTransportHTTP2
import Glibc
import PlatformTracing
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
    private let trust: RPCTrust
    private let serviceConfig: ServiceConfig

    /// - Parameters:
    ///   - defaultTimeout: the deadline of every RPC that does not set its own.
    ///   - trust: the certificate and the token key the calls present.
    public init(defaultTimeout: Duration = .seconds(5), trust: RPCTrust = .none) {
        self.trust = trust
        // A call waits for a ready connection within its deadline rather than failing at once
        // while the peer restarts (gRPC's default fails fast for the whole reconnect backoff).
        // No retry policy: grpc-swift's retry executor does not watch its deadline while it waits
        // for a connection; the gateway answers safe requests again instead (`SafeRetry`).
        serviceConfig = ServiceConfig(
            methodConfig: [MethodConfig(names: [MethodConfig.Name(service: "")], waitForReady: true, timeout: defaultTimeout)],
            loadBalancingConfig: [.roundRobin])
    }

    /// Reconnects quickly to a restarted peer: 100 ms at first, never more than 2 s apart
    /// (gRPC's default grows to two minutes, so a peer down for a while was reached late).
    static let transportConfig = Transport.Config.defaults {
        $0.backoff = .init(initial: .milliseconds(100), max: .seconds(2), multiplier: 1.6, jitter: 0.2)
    }

    /// The client for `host:port`, created once. `host` is a name (looked up again and again: a
    /// restarted container comes back under a new address, a headless Service answers with every
    /// ready pod) or a comma-separated list of IPv4 addresses (replicas on one machine). Calls go
    /// round robin over every address, so each replica of a peer takes its share.
    public func client(host: String, port: Int) throws -> Client {
        let key = "\(host):\(port)"
        return try clients.withLock { clients in
            if let existing = clients[key] { return existing.client }
            let transport: Transport
            if let addresses = Self.ipv4Addresses(host) {
                transport = try Transport(
                    target: .ipv4(pairs: addresses.map { ($0, port) }), transportSecurity: trust.clientSecurity(verifyingName: false),
                    config: Self.transportConfig, serviceConfig: serviceConfig)
            } else {
                var resolvers = NameResolverRegistry.defaults
                resolvers.registerFactory(RefreshingDNSResolverFactory())
                transport = try Transport(
                    target: RefreshingDNSTarget(host: host, port: port), transportSecurity: trust.clientSecurity(verifyingName: true),
                    config: Self.transportConfig, resolverRegistry: resolvers, serviceConfig: serviceConfig)
            }
            var interceptors: [any ClientInterceptor] = PlatformTracing.isEnabled ? [TracingClientInterceptor()] : []
            if let tokens = trust.tokens { interceptors.append(ServiceTokenClientInterceptor(tokens: tokens)) }
            let client = GRPCClient(transport: transport, interceptors: interceptors + [RequestMetadataClientInterceptor()])
            clients[key] = (client, Task { try? await client.runConnections() })
            return client
        }
    }

    /// The addresses of `127.0.0.1` or `127.0.0.1,127.0.0.2`; nil when `host` is a name.
    static func ipv4Addresses(_ host: String) -> [String]? {
        let parts = host.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return parts.isEmpty || !parts.allSatisfy(isIPv4Address) ? nil : parts
    }

    /// Dotted-decimal IPv4 (`127.0.0.1`); anything else is a host name.
    static func isIPv4Address(_ host: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }

    public func run() async throws {
        try? await gracefulShutdown()
        let running = clients.withLock { $0.values.map { $0 } }
        for entry in running { entry.client.beginGracefulShutdown() }
        for entry in running { await entry.connections.value }
    }
}
