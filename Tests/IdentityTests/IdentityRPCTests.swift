import AuthService
import Contracts
import EventKit
import Foundation
import GRPCCore
import GRPCInProcessTransport
import GRPCProtobuf
import IDMService
import PlatformConfig
import ServiceKit
import TestSupport
import Testing
import UserService

/// The identity services as their gRPC clients see them: each built as in production (with
/// in-memory stores), served with its production interceptors over the in-process transport.
@Suite("Identity RPC services")
struct IdentityRPCTests {
    static func settings(_ descriptor: ServiceKit.ServiceDescriptor, bus: LocalEventBus) throws -> ServiceSettings {
        var settings = try ServiceSettings(
            descriptor, config: ConfigReader(["BCRYPT_COST": "4", "LOG_LEVEL": "critical", "IDM_LOGIN_FAILURES_PER_ACCOUNT": "2"]))
        settings.deliverEventsLocally(through: bus)
        return settings
    }

    /// The user and auth services, connected by the local bus like the broker connects them.
    static func withUserAndAuth<T: Sendable>(
        _ body: (User_V1_UserService.Client<InProcessTransport.Client>, Auth_V1_AuthService.Client<InProcessTransport.Client>)
            async throws -> T
    ) async throws -> T {
        let bus = LocalEventBus()
        let auth = try await buildAuthService(try settings(ServiceManifest.auth, bus: bus), overrides: .init(credentials: InMemoryCredentialStore()))
        let user = try await buildUserService(
            try settings(ServiceManifest.user, bus: bus), overrides: .init(users: InMemoryUserStore(publishingTo: bus)))
        return try await withInProcessRPC(auth) { authChannel in
            try await withInProcessRPC(user) { userChannel in
                try await body(.init(wrapping: userChannel), .init(wrapping: authChannel))
            }
        }
    }

    static func rpcError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> RPCError? {
        do {
            try await body()
            Issue.record("expected an RPC error", sourceLocation: sourceLocation)
        } catch let error as RPCError {
            return error
        } catch {
            Issue.record("expected an RPC error, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    @Test func invalidFieldsAreAnInvalidArgumentWithAGoogleRPCBadRequest() async throws {
        try await Self.withUserAndAuth { users, _ in
            let error = await Self.rpcError { _ = try await users.register(.with { $0.email = "nope"; $0.password = "short" }) }
            #expect(error?.code == .invalidArgument)
            let status = try #require(try error?.unpackGoogleRPCStatus())
            let fields = status.details.compactMap(\.badRequest).flatMap(\.violations).map(\.field)
            #expect(Set(fields) == ["email", "password", "name"])
        }
    }

    @Test func listsPageWithTheSharedPagingMessages() async throws {
        try await Self.withUserAndAuth { users, _ in
            for index in 0..<3 {
                _ = try await users.register(.with {
                    $0.email = "page\(index)@example.com"
                    $0.password = "long enough"
                    $0.name = "Page \(index)"
                })
            }
            let defaults = try await users.listUsers(.init())
            #expect(defaults.page.page == 1 && defaults.page.pageSize == 20 && defaults.page.total == 3)
            let second = try await users.listUsers(.with { $0.page = .with { $0.page = 2; $0.pageSize = 2 } })
            #expect(second.users.count == 1 && second.page.total == 3 && second.page.page == 2)

            let error = await Self.rpcError { _ = try await users.listUsers(.with { $0.page = .with { $0.pageSize = 101 } }) }
            #expect(error?.code == .invalidArgument)
            let fields = try #require(try error?.unpackGoogleRPCStatus()).details.compactMap(\.badRequest).flatMap(\.violations)
            #expect(fields.map(\.field) == ["page_size"])
        }
    }

    @Test func anUnknownUserIsNotFoundAndASelfDemotionAFailedPrecondition() async throws {
        try await Self.withUserAndAuth { users, _ in
            let missing = await Self.rpcError { _ = try await users.getUser(.with { $0.id = UUID().uuidString }) }
            #expect(missing?.code == .notFound)

            let admin = try await users.createUser(.with {
                $0.email = "boss@example.com"
                $0.password = "long enough"
                $0.name = "Boss"
                $0.roles = ["admin"]
            })
            let demotion = await Self.rpcError {
                _ = try await users.updateUser(.with {
                    $0.id = admin.id
                    $0.roles = .with { $0.roles = ["customer"] }
                    $0.actingUserID = admin.id
                })
            }
            #expect(demotion?.code == .failedPrecondition)
            let deactivation = await Self.rpcError {
                _ = try await users.deactivateUser(.with {
                    $0.id = admin.id
                    $0.actingUserID = UUID().uuidString
                })
            }
            #expect(deactivation?.code == .failedPrecondition, "the last active admin")
        }
    }

    @Test func authVerifiesTheCredentialsTheUserServicePublished() async throws {
        try await Self.withUserAndAuth { users, auth in
            let user = try await users.register(.with {
                $0.email = "Ada@Example.com"
                $0.password = "the right password"
                $0.name = "Ada"
            })
            let account = try await auth.verifyCredentials(.with { $0.email = "ada@example.com"; $0.password = "the right password" })
            #expect(account.userID == user.id && account.roles == ["customer"] && account.active)
            let wrong = await Self.rpcError {
                _ = try await auth.verifyCredentials(.with { $0.email = "ada@example.com"; $0.password = "not it" })
            }
            #expect(wrong?.code == .unauthenticated)
            let unknown = await Self.rpcError { _ = try await auth.getAccount(.with { $0.userID = UUID().uuidString }) }
            #expect(unknown?.code == .notFound)
            let badChange = await Self.rpcError {
                _ = try await auth.changePassword(.with {
                    $0.userID = user.id
                    $0.currentPassword = "not it"
                    $0.newPassword = "a new long password"
                })
            }
            #expect(badChange?.code == .invalidArgument)
        }
    }

    @Test func idmSignsValidatesRevokesAndThrottlesWithARetryDelay() async throws {
        try await Self.withUserAndAuth { users, authClient in
            _ = try await users.register(.with {
                $0.email = "ada@example.com"
                $0.password = "the right password"
                $0.name = "Ada"
            })
            let idmRuntime = try await buildIDMService(
                try Self.settings(ServiceManifest.idm, bus: LocalEventBus()),
                overrides: .init(sessions: InMemorySessionStore(), auth: authClient))
            try await withInProcessRPC(idmRuntime) { channel in
                let idm = Idm_V1_IDMService.Client(wrapping: channel)
                let tokens = try await idm.login(.with { $0.email = "ada@example.com"; $0.password = "the right password" })
                let valid = try await idm.validateToken(.with { $0.token = tokens.token })
                #expect(valid.valid && valid.roles == ["customer"] && valid.sessionID == tokens.sessionID)
                #expect(try await idm.getJWKS(.init()).jwksJson.contains("ES256"))

                #expect(try await idm.logout(.with { $0.token = tokens.token }).success)
                #expect(try await idm.validateToken(.with { $0.token = tokens.token }).valid == false)
                let revoked = try await idm.listRevokedSessions(.init()).sessions.map(\.sessionID)
                #expect(revoked == [tokens.sessionID])

                for _ in 0..<2 {
                    let wrong = await Self.rpcError {
                        _ = try await idm.login(.with { $0.email = "ada@example.com"; $0.password = "not it" })
                    }
                    #expect(wrong?.code == .unauthenticated)
                }
                let throttled = await Self.rpcError {
                    _ = try await idm.login(.with { $0.email = "ada@example.com"; $0.password = "the right password" })
                }
                #expect(throttled?.code == .resourceExhausted)
                let delay = try #require(try throttled?.unpackGoogleRPCStatus()).details.compactMap(\.retryInfo).first?.delay
                #expect((delay ?? .zero) > .zero)
            }
        }
    }
}
