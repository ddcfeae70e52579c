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
import PaymentService
import AnalyticsService
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
    public static func run<T: Sendable>(
        commerce: Bool = false, config: [String: String] = [:], _ body: @Sendable (PlatformStack) async throws -> T
    ) async throws -> T {
        try await withCommerceDatabases(commerce) { databases in
            let stack = Stores()
            let environment = [
                "BCRYPT_COST": "4", "STARTUP_TIMEOUT": "5", "LOG_LEVEL": "critical", "ADMIN_EMAIL": adminEmail,
                "ADMIN_PASSWORD": adminPassword,
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
            return try await withInProcessRPC([product, payment, auth, user], faults: stack.faults) { peers in
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
                    let gateway = try await buildGatewayService(
                        try settings(ServiceManifest.gateway),
                        overrides: .init(
                            peers: GatewayPeers(
                                idm: try client(peers, ServiceManifest.idm), users: try client(peers, ServiceManifest.user),
                                auth: try client(peers, ServiceManifest.auth), products: try client(peers, ServiceManifest.product),
                                payments: try client(peers, ServiceManifest.payment),
                                analytics: try client(peers, ServiceManifest.analytics))))
                    return try await gateway.makeHTTPApplication().test(.router) { client in
                        try await body(PlatformStack(stores: stack, client: client, gateway: gateway))
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
    /// `ANALYTICS_DATABASE_URL` (a fresh MariaDB database), dropped afterwards; nothing without commerce.
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
