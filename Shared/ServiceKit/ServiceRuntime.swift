import AMQP
import BlockingIO
import CMalloc
import GRPCCore
import Glibc
import Hummingbird
import Logging
import NIOCore
import PlatformConfig
import PlatformCore
import PlatformHTTP
import PlatformRPC
import PlatformTracing
import ServiceLifecycle

/// Everything one service runs, assembled by its `build…` function and started by `run()`:
/// an HTTP server (ops routes plus any routes of its own), a gRPC server with the standard
/// health service, background services (consumers, relays) and clean-up hooks.
public struct ServiceRuntime: Sendable {
    public let settings: ServiceSettings
    public let logger: Logger
    public private(set) var readinessChecks: [ReadinessCheck] = []
    public private(set) var rpcServices: [any RegistrableRPCService] = []
    public private(set) var backgroundServices: [any Service] = []
    private var shutdownHooks: [@Sendable () async -> Void] = []
    /// Telemetry exporters: stopped after everything else, so they send what the others recorded.
    private var exporters: [any Service] = []
    private var routeSetups: [@Sendable (Router<AppRequestContext>) throws -> Void] = []
    private var edgeSetups: [@Sendable (Router<AppRequestContext>) -> Void] = []
    private var opsAccess: OpsRoutes.Access?
    /// The broker publisher, when the service uses the broker.
    public private(set) var publisher: AMQPPublisher?
    /// Long-lived gRPC clients for calling other services (one connection per target).
    public let rpcClients: RPCClients

    public init(settings: ServiceSettings) throws {
        self.settings = settings
        rpcClients = RPCClients(trust: settings.rpcTrust)
        var logger = Logger(label: settings.name)
        logger.logLevel = settings.logLevel
        self.logger = logger
        if let url = settings.amqpURL {
            let configuration = try AMQPConfiguration(url: url, connectionName: settings.name)
            let publisher = AMQPPublisher(configuration: configuration, logger: logger)
            self.publisher = publisher
            addReadinessCheck("broker") { try await publisher.checkHealth() }
            onShutdown { await publisher.close() }
        }
    }

    public mutating func addReadinessCheck(_ name: String, _ check: @escaping @Sendable () async throws -> Void) {
        readinessChecks.append(ReadinessCheck(name, check: check))
    }

    public mutating func addRPCService(_ service: any RegistrableRPCService) { rpcServices.append(service) }

    public mutating func addBackgroundService(_ service: any Service) { backgroundServices.append(service) }

    public mutating func addExporter(_ service: any Service) { exporters.append(service) }

    public mutating func addRoutes(_ setup: @escaping @Sendable (Router<AppRequestContext>) throws -> Void) {
        routeSetups.append(setup)
    }

    /// Middleware around every request, outside the platform's error handling, so it sees every
    /// response (errors and unknown routes included); added in order, outermost first.
    public mutating func addEdgeMiddleware(_ middleware: some RouterMiddleware<AppRequestContext>) {
        edgeSetups.append { $0.add(middleware: middleware) }
    }

    /// Who may read `/metrics` and the checks of `/ready` (a public port); everyone by default.
    public mutating func restrictOpsDetail(to access: @escaping OpsRoutes.Access) { opsAccess = access }

    /// Runs after the servers stopped: close pools and connections here.
    public mutating func onShutdown(_ hook: @escaping @Sendable () async -> Void) { shutdownHooks.append(hook) }

    public var readiness: Readiness { Readiness(checks: readinessChecks) }

    /// The HTTP router with middleware, ops routes and the service's own routes.
    public func makeRouter() throws -> Router<AppRequestContext> {
        let edges = edgeSetups
        let router = makePlatformRouter(
            service: settings.name, version: settings.version, readiness: readiness, translateError: translatePlatformError,
            opsAccess: opsAccess, edge: { router in for setup in edges { setup(router) } })
        for setup in routeSetups { try setup(router) }
        return router
    }

    public func makeHTTPApplication() throws -> some ApplicationProtocol {
        Application(
            router: try makeRouter(),
            // A connection that sends nothing for the idle timeout is closed, a request head
            // trickling in byte by byte included (its bytes are not a request part yet).
            server: .http1(configuration: .init(additionalChannelHandlers: [OversizedHeadHandler()], idleTimeout: .init(settings.httpIdleTimeout))),
            configuration: .init(address: .hostname(settings.bindHost, port: settings.httpPort), serverName: settings.name),
            logger: logger)
    }

    public func makeRPCServer() -> RPCServerService {
        RPCServerService(
            host: settings.bindHost, port: settings.grpcPort, services: allRPCServices, interceptors: rpcInterceptors,
            trust: settings.rpcTrust)
    }

    /// The same services and interceptors on another transport (tests use the in-process one).
    public func makeRPCServer<Transport: ServerTransport>(transport: Transport) -> GRPCServer<Transport> {
        GRPCServer(transport: transport, services: allRPCServices, interceptors: rpcInterceptors)
    }

    private var allRPCServices: [any RegistrableRPCService] {
        let readiness = self.readiness
        let health = HealthService(serviceNames: [settings.name]) { await readiness.evaluate().isReady }
        return [health] + rpcServices
    }

    private var rpcInterceptors: [any ServerInterceptor] {
        var interceptors: [any ServerInterceptor] = PlatformTracing.isEnabled ? [TracingServerInterceptor()] : []
        interceptors.append(MetricsServerInterceptor())
        let trust = settings.rpcTrust
        if trust.tokens != nil || trust.tls != nil {
            // The callers allowed: the services whose descriptor lists this one as a peer.
            let callers = Set(ServiceManifest.all.filter { $0.peers.contains(settings.name) }.map(\.name))
            interceptors.append(ServiceTrustServerInterceptor(service: settings.name, tokens: trust.tokens, allowedCallers: callers))
        }
        return interceptors + [RequestMetadataServerInterceptor(), ErrorTranslationInterceptor(logger: logger)]
    }

    /// Runs the background services while `body` runs, then stops them and runs the shutdown
    /// hooks: for in-process tests, which serve the service's RPCs themselves.
    public func withBackgroundServices<T>(_ body: () async throws -> T) async throws -> T {
        let group = ServiceGroup(
            configuration: .init(
                services: ([ShutdownHooks(hooks: shutdownHooks)] + backgroundServices).map { .init(service: $0) }, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish,
    /// stops background work and runs the shutdown hooks.
    public func run() async throws {
        // ServiceGroup shuts services down in reverse order, so the closer, listed first, runs last.
        let closer = ShutdownHooks(hooks: shutdownHooks)
        let services: [any Service] =
            exporters + [closer, rpcClients] + backgroundServices + [makeRPCServer(), try makeHTTPApplication()]
        Self.startHeapTrimmer
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info(
            "service starting",
            metadata: [
                "http_port": "\(settings.httpPort)", "grpc_port": "\(settings.grpcPort)", "host": "\(settings.bindHost)",
                "grpc_callers_proven_by": "\(settings.rpcTrust.summary)",
            ])
        try await group.run()
        logger.info("service stopped")
    }
}

extension ServiceRuntime {
    /// glibc keeps what a burst freed (an analytics rebuild, a batch of uploads) in its per-thread
    /// arenas, 64 MB each, for good: measured 160 MB of idle anonymous memory in analytics after a
    /// benchmark. Every 30 s the free pages go back to the system. A pass over four fragmented
    /// 64 MB arenas took 15-60 ms (measured), so it has a thread of its own rather than holding one
    /// of Swift concurrency's; on a small heap it takes microseconds. Started once per process.
    static let startHeapTrimmer: Void = startThread(named: "heap-trim") {
        while true {
            sleep(30)
            malloc_trim(0)
        }
    }
}

private struct ShutdownHooks: Service {
    let hooks: [@Sendable () async -> Void]

    func run() async throws {
        try? await gracefulShutdown()
        for hook in hooks { await hook() }
    }
}

extension ServiceRuntime {
    /// The long-lived client for a peer named in the service's descriptor, at `<PEER>_GRPC_HOST`
    /// (default 127.0.0.1) and `<PEER>_GRPC_PORT` — the same port variable that peer listens on.
    public func rpcClient(for peer: ServiceDescriptor) throws -> RPCClients.Client {
        guard settings.descriptor.peers.contains(peer.name) else {
            throw ConfigError(variable: "\(peer.environmentPrefix)_GRPC_PORT", problem: "\(settings.name) does not call \(peer.name) (ServiceManifest)")
        }
        let host = try settings.host(of: peer)
        let port = try settings.config.port("\(peer.environmentPrefix)_GRPC_PORT", default: peer.defaultGRPCPort)
        return try rpcClients.client(host: host, port: port)
    }
}
