import Contracts
import FoundationEssentials
import ServiceFront
import ServiceKit
import ServiceMariaDB

/// What tests may put in place of the event service's peers.
public struct EventOverrides: Sendable {
    /// Replaces the connection to idm (e.g. an in-process transport).
    public var idm: (any Idm_V1_IDMService.ClientProtocol)?

    public init(idm: (any Idm_V1_IDMService.ClientProtocol)? = nil) { self.idm = idm }
}

/// Events, packets and tickets with capacity that is never oversold, over gRPC (the gateway, the
/// client service) and its own REST front (tokens checked through idm).
/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildEventService(_ settings: ServiceSettings, overrides: EventOverrides = .init()) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    let store = MariaDBTicketingStore(client: try await runtime.attachMariaDB(migrations: ServiceMigrations.files))
    let programme = Programme(store: store)
    let boxOffice = BoxOffice(store: store)
    let idm = try overrides.idm ?? Idm_V1_IDMService.Client(wrapping: runtime.rpcClient(for: ServiceManifest.idm))
    let routes = EventManagerRoutes(programme: programme, boxOffice: boxOffice, tokens: TokenIntrospection(idm: idm))
    runtime.addRoutes { routes.add(to: $0) }
    runtime.addRPCService(EventRPCService(programme: programme, boxOffice: boxOffice))
    return runtime
}
