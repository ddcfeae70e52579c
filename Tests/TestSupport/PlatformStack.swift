import AuthService
import Contracts
import EventKit
import Foundation
import GRPCCore
import GRPCInProcessTransport
import GatewayService
import Hummingbird
import HummingbirdTesting
import IDMService
import MediaService
import PaymentService
import AnalyticsService
import ClientService
import EventService
import PlatformConfig
import ProductService
import ServiceKit
import UserService

/// The platform in one process: the real user, auth and idm services with in-memory stores and,
/// when asked for, product and payment on fresh Postgres schemas, each served over the
/// in-process gRPC transport with its background services, events over a local bus, and the
/// gateway's HTTP application in front of them, driven by HummingbirdTesting.
public struct PlatformStack: Sendable {
    public struct Stores: Sendable {
        public let bus = LocalEventBus()
        public let users: InMemoryUserStore
        public let credentials = InMemoryCredentialStore()
        public let sessions: InMemorySessionStore
        /// Takes services down (`user`, `auth`, `idm`, `product`, `payment`) as their callers see them.
        public let faults = FaultInjector()

        init() {
            users = InMemoryUserStore(publishingTo: bus)
            sessions = InMemorySessionStore(publishingTo: bus)
        }
    }

    public let stores: Stores
    /// The gateway's HTTP client (requests go through its router, no network).
    public let client: any TestClientProtocol
    /// The gateway as built (its router lists the served routes).
    public let gateway: ServiceRuntime

    public static let adminEmail = "admin@example.com"
    public static let adminPassword = "the admin password"

    /// Runs `body` against a fresh stack; `config` adds or overrides environment variables.
    /// - Parameter commerce: runs product and payment on fresh schemas of the test Postgres
    ///   server; without it they are not running (their calls answer UNIMPLEMENTED).
    /// - Parameter ticketing: runs event (a fresh MariaDB database) and client (a fresh MongoDB
    ///   database); without it they are not running.
    /// - Parameter media: runs media (a fresh Postgres schema, objects in a temporary folder).
    public static func run<T: Sendable>(
        commerce: Bool = false, ticketing: Bool = false, media: Bool = false, config: [String: String] = [:],
        _ body: @Sendable (PlatformStack) async throws -> T
    ) async throws -> T {
        try await withDatabases(commerce: commerce, ticketing: ticketing, media: media) { databases in
            let stack = Stores()
            let environment = [
                "BCRYPT_COST": "4", "STARTUP_TIMEOUT": "5", "LOG_LEVEL": "critical", "ADMIN_EMAIL": adminEmail,
                "ADMIN_PASSWORD": adminPassword, "GATEWAY_CSRF_KEY": "a test CSRF key of at least 32 characters",
            ].merging(databases) { _, database in database }.merging(config) { _, override in override }
            func settings(_ descriptor: ServiceKit.ServiceDescriptor) throws -> ServiceSettings {
                var settings = try ServiceSettings(descriptor, config: ConfigReader(environment))
                settings.deliverEventsLocally(through: stack.bus)
                return settings
            }
            // Without commerce, product, payment and analytics are servers that serve nothing.
            let product = commerce
                ? try await buildProductService(try settings(ServiceManifest.product))
                : try ServiceRuntime(settings: try settings(ServiceManifest.product))
            let payment = commerce
                ? try await buildPaymentService(try settings(ServiceManifest.payment))
                : try ServiceRuntime(settings: try settings(ServiceManifest.payment))
            let auth = try await buildAuthService(try settings(ServiceManifest.auth), overrides: .init(credentials: stack.credentials))
            let user = try await buildUserService(try settings(ServiceManifest.user), overrides: .init(users: stack.users))
            let mediaService = media
                ? try await buildMediaService(try settings(ServiceManifest.media))
                : try ServiceRuntime(settings: try settings(ServiceManifest.media))
            return try await withInProcessRPC([product, payment, auth, user, mediaService], faults: stack.faults) { peers in
                let products = Product_V1_ProductService.Client(wrapping: try client(peers, ServiceManifest.product))
                let analytics = commerce
                    ? try await buildAnalyticsService(try settings(ServiceManifest.analytics), overrides: .init(product: products))
                    : try ServiceRuntime(settings: try settings(ServiceManifest.analytics))
                let idm = try await buildIDMService(
                    try settings(ServiceManifest.idm),
                    overrides: .init(
                        sessions: stack.sessions, auth: Auth_V1_AuthService.Client(wrapping: try client(peers, ServiceManifest.auth)),
                        product: products))
                return try await withInProcessRPC([analytics, idm], faults: stack.faults) { more in
                    let peers = peers.merging(more) { first, _ in first }
                    let idmClient = Idm_V1_IDMService.Client(wrapping: try client(peers, ServiceManifest.idm))
                    let event = ticketing
                        ? try await buildEventService(try settings(ServiceManifest.event), overrides: .init(idm: idmClient))
                        : try ServiceRuntime(settings: try settings(ServiceManifest.event))
                    return try await withInProcessRPC(event, faults: stack.faults) { eventClient in
                        let client = ticketing
                            ? try await buildClientService(
                                try settings(ServiceManifest.client),
                                overrides: .init(idm: idmClient, event: Event_V1_EventService.Client(wrapping: eventClient)))
                            : try ServiceRuntime(settings: try settings(ServiceManifest.client))
                        return try await withInProcessRPC(client, faults: stack.faults) { clientClient in
                            let gateway = try await buildGatewayService(
                                try settings(ServiceManifest.gateway),
                                overrides: .init(
                                    peers: GatewayPeers(
                                        idm: try Self.client(peers, ServiceManifest.idm), users: try Self.client(peers, ServiceManifest.user),
                                        auth: try Self.client(peers, ServiceManifest.auth),
                                        products: try Self.client(peers, ServiceManifest.product),
                                        payments: try Self.client(peers, ServiceManifest.payment),
                                        analytics: try Self.client(peers, ServiceManifest.analytics), events: eventClient,
                                        clients: clientClient, media: try Self.client(peers, ServiceManifest.media))))
                            return try await gateway.makeHTTPApplication().test(.router) { client in
                                try await body(PlatformStack(stores: stack, client: client, gateway: gateway))
                            }
                        }
                    }
                }
            }
        }
    }

    private static func client(
        _ clients: [String: GRPCClient<InProcessTransport.Client>], _ service: ServiceKit.ServiceDescriptor
    ) throws -> GRPCClient<InProcessTransport.Client> {
        guard let client = clients[service.name] else { throw TestFailure("\(service.name) is not served") }
        return client
    }

    /// `PRODUCT_DATABASE_URL`, `PAYMENT_DATABASE_URL` (fresh Postgres schemas) and
    /// `ANALYTICS_DATABASE_URL` (a fresh MariaDB database) for commerce; `EVENT_DATABASE_URL`
    /// (MariaDB) and `CLIENT_DATABASE_URL` (MongoDB) for ticketing; all dropped afterwards.
    private static func withDatabases<T>(
        commerce: Bool, ticketing: Bool, media: Bool, _ body: ([String: String]) async throws -> T
    ) async throws -> T {
        try await withMediaStore(media) { mediaSettings in
            try await withTicketingDatabases(ticketing) { ticketingDatabases in
                try await withCommerceDatabases(commerce) { commerceDatabases in
                    try await body(
                        commerceDatabases.merging(ticketingDatabases) { first, _ in first }.merging(mediaSettings) { first, _ in first })
                }
            }
        }
    }

    /// `MEDIA_DATABASE_URL` (a fresh Postgres schema), a temporary objects folder and a signing key.
    private static func withMediaStore<T>(_ media: Bool, _ body: ([String: String]) async throws -> T) async throws -> T {
        guard media else { return try await body([:]) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("platform-media-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await TestPostgres.withEmptySchema { database in
            try await body([
                "MEDIA_DATABASE_URL": database, "MEDIA_DATABASE_POOL_SIZE": "4", "MEDIA_STORAGE": "local:\(folder.path)/objects",
                "MEDIA_SPOOL_DIR": folder.appendingPathComponent("spool").path,
                "MEDIA_URL_SIGNING_KEY": "a test signing key of 32+ characters",
            ])
        }
    }

    private static func withTicketingDatabases<T>(_ ticketing: Bool, _ body: ([String: String]) async throws -> T) async throws -> T {
        guard ticketing else { return try await body([:]) }
        return try await TestMariaDB.withEmptyDatabase { _, eventDatabase in
            try await TestMongo.withEmptyDatabase { clientDatabase in
                try await body([
                    "EVENT_DATABASE_URL": eventDatabase, "CLIENT_DATABASE_URL": clientDatabase, "EVENT_DATABASE_POOL_SIZE": "4",
                ])
            }
        }
    }

    private static func withCommerceDatabases<T>(
        _ commerce: Bool, _ body: ([String: String]) async throws -> T
    ) async throws -> T {
        guard commerce else { return try await body([:]) }
        return try await TestPostgres.withEmptySchema { productDatabase in
            try await TestPostgres.withEmptySchema { paymentDatabase in
                try await TestMariaDB.withEmptyDatabase { _, analyticsDatabase in
                    try await body([
                        "PRODUCT_DATABASE_URL": productDatabase, "PAYMENT_DATABASE_URL": paymentDatabase,
                        "ANALYTICS_DATABASE_URL": analyticsDatabase, "PRODUCT_DATABASE_POOL_SIZE": "4",
                        "PAYMENT_DATABASE_POOL_SIZE": "4", "ANALYTICS_DATABASE_POOL_SIZE": "4",
                    ])
                }
            }
        }
    }
}
