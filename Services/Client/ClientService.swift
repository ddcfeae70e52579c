import Contracts
import FoundationEssentials
import PlatformConfig
import ServiceFront
import ServiceKit
import ServiceMongo

/// What tests may put in place of the client service's peers.
public struct ClientOverrides: Sendable {
    public var idm: (any Idm_V1_IDMService.ClientProtocol)?
    public var event: (any Event_V1_EventService.ClientProtocol)?

    public init(idm: (any Idm_V1_IDMService.ClientProtocol)? = nil, event: (any Event_V1_EventService.ClientProtocol)? = nil) {
        self.idm = idm
        self.event = event
    }
}

/// Ticketing clients: profiles, privacy flags, social links, tickets bought through the event
/// service; over gRPC (the gateway) and its own REST front (tokens checked through idm).
/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildClientService(_ settings: ServiceSettings, overrides: ClientOverrides = .init()) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let store = MongoClientStore(client: try await runtime.attachMongo())
    try await store.prepare()
    let idm = try overrides.idm ?? Idm_V1_IDMService.Client(wrapping: runtime.rpcClient(for: ServiceManifest.idm))
    let event = try overrides.event ?? Event_V1_EventService.Client(wrapping: runtime.rpcClient(for: ServiceManifest.event))
    let issuer = EventTicketIssuer(events: event)
    let registry = ClientRegistry(store: store, tickets: issuer)
    let sales = TicketSales(store: store, issuer: issuer)
    let age = try settings.config.duration("CLIENT_PURCHASE_RECONCILE_AFTER", default: .seconds(30))
    // Finishes purchases left between "asked the event service" and "recorded the ticket".
    runtime.addBackgroundService(
        PeriodicJob("purchases reconciled", every: min(age, .seconds(10)), logger: runtime.logger) {
            try await sales.reconcile(olderThan: age)
        })
    let routes = ClientRoutes(registry: registry, sales: sales, tokens: TokenIntrospection(idm: idm))
    runtime.addRoutes { routes.add(to: $0) }
    runtime.addRPCService(ClientRPCService(registry: registry, sales: sales))
    return runtime
}
