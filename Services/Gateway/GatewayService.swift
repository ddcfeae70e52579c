import AMQP
import AccessTokens
import Contracts
import Foundation
import PlatformConfig
import ServiceKit

/// The only public entry: REST/JSON, web UI and OpenAPI on port 5000; REST → gRPC, no business logic.
public let gatewayDescriptor = ServiceDescriptor(
    name: "gateway", environmentPrefix: "GATEWAY", defaultHTTPPort: 5000, defaultGRPCPort: 50050, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildGatewayService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let config = settings.config
    let upstreams = Upstreams(
        idm: .init(wrapping: try runtime.rpcClient(forPeer: "IDM", defaultPort: 50051)),
        users: .init(wrapping: try runtime.rpcClient(forPeer: "USER", defaultPort: 50053)),
        auth: .init(wrapping: try runtime.rpcClient(forPeer: "AUTH", defaultPort: 50052)))
    let logger = runtime.logger

    let tokenSettings = try TokenSettings(config: config)
    let revocations = RevocationList()
    let gate = try await retryDuringStartup("load token keys from idm", timeout: settings.startupTimeout, logger: logger) {
        try await AccessGate(
            settings: tokenSettings, revocations: revocations, logger: logger,
            keySource: { try JWKSet(json: try await upstreams.idm.getJWKS(.init()).jwksJson) })
    }
    let profiles = ProfileCache(ttl: try config.duration("GATEWAY_PROFILE_CACHE_TTL", default: .seconds(30)))
    let feed = GatewayEventFeed(
        amqp: try AMQPConfiguration(url: settings.amqpURL ?? "", connectionName: settings.name),
        instance: "\(ProcessInfo.processInfo.hostName).\(ProcessInfo.processInfo.processIdentifier)",
        revocations: revocations, profiles: profiles, logger: logger,
        snapshot: {
            try await upstreams.idm.listRevokedSessions(.init()).sessions.map { ($0.sessionID, $0.expiresAt.date) }
        })
    // Revocations from before this start are refused from the first request on.
    try await retryDuringStartup("load revoked sessions from idm", timeout: settings.startupTimeout, logger: logger) {
        try await feed.synchronise()
    }
    runtime.addBackgroundService(feed)

    let clientAddress = try ClientAddressResolver(trustedProxies: config.optional("GATEWAY_TRUSTED_PROXIES") ?? "")
    let docs = try DocsRoutes(bundle: .module, gate: gate)
    runtime.addRoutes { router in
        AuthRoutes(upstreams: upstreams, gate: gate, profiles: profiles, clientAddress: clientAddress).add(to: router)
        UserRoutes(upstreams: upstreams, gate: gate, profiles: profiles).add(to: router)
        SessionRoutes(upstreams: upstreams, gate: gate).add(to: router)
        AdminRoutes(upstreams: upstreams, gate: gate, profiles: profiles).add(to: router)
        docs.add(to: router)
    }
    return runtime
}
