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
import PlatformConfig
import ServiceKit
import UserService

/// The identity core in one process: the real user, auth and idm services with in-memory
/// stores, each served over the in-process gRPC transport, events over a local bus, and the
/// gateway's HTTP application in front of them, driven by HummingbirdTesting.
public struct IdentityStack: Sendable {
    public struct Stores: Sendable {
        public let bus = LocalEventBus()
        public let users: InMemoryUserStore
        public let credentials = InMemoryCredentialStore()
        public let sessions: InMemorySessionStore
        /// Takes services down (`user`, `auth`, `idm`) as the gateway sees them.
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
    public static func run<T: Sendable>(
        config: [String: String] = [:], _ body: @Sendable (IdentityStack) async throws -> T
    ) async throws -> T {
        let stack = Stores()
        let environment = [
            "BCRYPT_COST": "4", "STARTUP_TIMEOUT": "5", "LOG_LEVEL": "critical", "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword,
        ].merging(config) { _, override in override }
        func settings(_ descriptor: ServiceKit.ServiceDescriptor) throws -> ServiceSettings {
            var settings = try ServiceSettings(descriptor, config: ConfigReader(environment))
            settings.deliverEventsLocally(through: stack.bus)
            return settings
        }
        let auth = try await buildAuthService(try settings(ServiceManifest.auth), overrides: .init(credentials: stack.credentials))
        let user = try await buildUserService(try settings(ServiceManifest.user), overrides: .init(users: stack.users))
        return try await withInProcessRPC(auth, faults: stack.faults) { authClient in
            try await withInProcessRPC(user, faults: stack.faults) { userClient in
                let idm = try await buildIDMService(
                    try settings(ServiceManifest.idm),
                    overrides: .init(sessions: stack.sessions, auth: Auth_V1_AuthService.Client(wrapping: authClient)))
                return try await withInProcessRPC(idm, faults: stack.faults) { idmClient in
                    let gateway = try await buildGatewayService(
                        try settings(ServiceManifest.gateway),
                        overrides: .init(peers: GatewayPeers(idm: idmClient, users: userClient, auth: authClient)))
                    return try await gateway.makeHTTPApplication().test(.router) { client in
                        try await body(IdentityStack(stores: stack, client: client, gateway: gateway))
                    }
                }
            }
        }
    }
}
