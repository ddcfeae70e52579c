import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle

/// Runs a `GRPCServer` under ServiceLifecycle: graceful shutdown stops accepting new RPCs
/// and lets the in-flight ones finish.
public struct RPCServerService: Service {
    public let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let transport: HTTP2ServerTransport.Posix

    /// - Parameter port: 0 lets the system choose; `listeningPort` then tells which.
    public init(
        host: String, port: Int, services: [any RegistrableRPCService], interceptors: [any ServerInterceptor], trust: RPCTrust = .none
    ) {
        transport = HTTP2ServerTransport.Posix(address: .ipv4(host: host, port: port), transportSecurity: trust.serverSecurity)
        server = GRPCServer(transport: transport, services: services, interceptors: interceptors)
    }

    /// The bound port, once the server listens (waits for that).
    public var listeningPort: Int {
        get async throws {
            guard let port = try await transport.listeningAddress.ipv4?.port else {
                throw RPCError(code: .internalError, message: "the gRPC server is not listening on IPv4")
            }
            return port
        }
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
