import AMQP
import AccessTokens
import Contracts
import Foundation  // Bundle: the gateway serves its resource bundle (documents, web front)
import Hummingbird
import OpenAPIHummingbird
import PlatformAPI
import PlatformConfig
import ServiceKit

/// What tests may put in place of the gateway's peers (e.g. services on in-process transports).
public struct GatewayOverrides: Sendable {
    public var peers: GatewayPeers?

    public init(peers: GatewayPeers? = nil) { self.peers = peers }
}

/// The only public entry: REST/JSON, the web application and OpenAPI on port 5000; REST → gRPC,
/// no business logic.
/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildGatewayService(_ settings: ServiceSettings, overrides: GatewayOverrides = .init()) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let config = settings.config
    let logger = runtime.logger
    let peers = try overrides.peers
        ?? GatewayPeers(
            idm: runtime.rpcClient(for: ServiceManifest.idm), users: runtime.rpcClient(for: ServiceManifest.user),
            auth: runtime.rpcClient(for: ServiceManifest.auth), products: runtime.rpcClient(for: ServiceManifest.product),
            payments: runtime.rpcClient(for: ServiceManifest.payment), analytics: runtime.rpcClient(for: ServiceManifest.analytics),
            events: runtime.rpcClient(for: ServiceManifest.event), clients: runtime.rpcClient(for: ServiceManifest.client),
            media: runtime.rpcClient(for: ServiceManifest.media))

    let tokenSettings = try TokenSettings(config: config)
    let revocations = RevocationList()
    let gate = try await retryDuringStartup("load token keys from idm", timeout: settings.startupTimeout, logger: logger) {
        try await AccessGate(
            settings: tokenSettings, revocations: revocations, logger: logger,
            keySource: { try JWKSet(json: try await peers.idm.getJWKS(.init()).jwksJson) })
    }
    let profiles = ProfileCache<OwnProfile>(ttl: try config.duration("GATEWAY_PROFILE_CACHE_TTL", default: .seconds(30)))
    let feed = try GatewayEventFeed(
        amqp: settings.amqpURL.map { try AMQPConfiguration(url: $0, connectionName: settings.name) },
        instance: "\(ProcessInfo.processInfo.hostName).\(ProcessInfo.processInfo.processIdentifier)",
        revocations: revocations, profiles: profiles, logger: logger,
        snapshot: {
            try await peers.idm.listRevokedSessions(.init()).sessions.map { ($0.sessionID, $0.expiresAt.date) }
        })
    // Revocations from before this start are refused from the first request on.
    try await retryDuringStartup("load revoked sessions from idm", timeout: settings.startupTimeout, logger: logger) {
        try await feed.synchronise()
    }
    if feed.consumesEvents {
        runtime.addBackgroundService(feed)
    } else if let bus = settings.localEvents {
        await bus.subscribe(feed.handlers)
    }

    let clientContext = ClientContextMiddleware(
        resolver: try ClientAddressResolver(trustedProxies: config.optional("GATEWAY_TRUSTED_PROXIES") ?? ""))
    let document = try APIDocument(json: DocsRoutes.document(in: .module))
    let corsOrigins = try CORSPolicy.origins(config.optional("GATEWAY_CORS_ORIGINS") ?? "")
    let browser = try BrowserSession(key: config.optional("GATEWAY_CSRF_KEY") ?? "", trustedOrigins: corsOrigins)
    let authenticator = RequestAuthenticator(gate: gate, browser: browser)
    let docs = try DocsRoutes(bundle: .module, gate: gate)
    let web = try WebAssets(bundle: .module)
    let api = GatewayAPI(
        peers: peers, gate: gate, profiles: profiles, browser: browser, health: try healthProbe(settings))
    let policy = APIMiddleware(document: document, authenticate: { try await authenticator.caller(of: $0) })
    // The public port shows operational detail (metrics, what /ready checked) to admins only.
    runtime.restrictOpsDetail { request in (try? await authenticator.caller(of: request.head))?.has(.admin) ?? false }
    runtime.addEdgeMiddleware(SecurityHeaders())
    runtime.addEdgeMiddleware(CORSPolicy(origins: corsOrigins, document: document))
    runtime.addEdgeMiddleware(HeaderLimit())
    let limits = RequestLimits(paths: APIPaths(document))
    runtime.addRoutes { router in
        router.add(middleware: limits)
        router.add(middleware: SafeRetry())
        docs.add(to: router)
        web.add(to: router)
        try api.registerHandlers(
            on: router.group().add(middleware: ResponseCookies.Middleware()).add(middleware: APIErrorMiddleware())
                .add(middleware: clientContext),
            configuration: GatewayAPI.configuration,
            middlewares: [policy])
    }
    return runtime
}

/// Every service's ops routes: the peers' on their hosts (`<PREFIX>_GRPC_HOST`), the gateway's own on loopback.
private func healthProbe(_ settings: ServiceSettings) throws -> ServiceHealthProbe {
    ServiceHealthProbe(
        services: try ServiceManifest.all.map { service in
            let port = try settings.config.port("\(service.environmentPrefix)_HTTP_PORT", default: service.defaultHTTPPort)
            // Replicas on one machine are a list of addresses: the probe asks the first.
            let host = service.name == settings.name ? "127.0.0.1" : try settings.host(of: service).split(separator: ",")[0]
            return (service.name, "http://\(host):\(service.name == settings.name ? settings.httpPort : port)")
        }, ownName: settings.name)
}
