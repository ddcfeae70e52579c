import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycle

/// Runs a `GRPCServer` under ServiceLifecycle: graceful shutdown stops accepting new RPCs
/// and lets the in-flight ones finish.
public struct RPCServerService: Service {
    public let server: GRPCServer<HTTP2ServerTransport.Posix>

    public init(host: String, port: Int, services: [any RegistrableRPCService], interceptors: [any ServerInterceptor]) {
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port), transportSecurity: .plaintext)
        self.server = GRPCServer(transport: transport, services: services, interceptors: interceptors)
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
