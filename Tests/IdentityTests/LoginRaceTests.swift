import AccessTokens
import EventKit
import Foundation
import IDMService
import PlatformCore
import Postgres
import TestSupport
import Testing

/// Logins whose password check is in flight while a password change or a deactivation is
/// acknowledged, forced by holding the verification at a gate, against the real session store:
/// no such login may open a usable session, and refresh checks too.
@Suite("Login races", .needs(.postgres))
struct LoginRaceTests {
    static let password = "the old password"
    let account = AccountInfo(userID: UUID(), email: "ada@example.com", roles: ["customer"], active: true, version: 1)
    let gate = Gate()

    func withRegistry(_ body: (SessionRegistry, PostgresClient) async throws -> Void) async throws {
        let migrations = try ServiceSchemas.migrations(of: "IDM", eventTables: .init(outbox: true, inbox: true))
        try await TestPostgres.withSchema(migrations: migrations, maxConnections: 6) { client in
            let issuer = await AccessTokenIssuer(key: try SigningKey.generate(), settings: TokenSettings())
            let verifier = HeldVerifier(inner: OneAccountVerifier(account: account, password: Self.password), gate: gate)
            let registry = try await SessionRegistry(
                store: PostgresSessionStore(client: client), credentials: verifier, locations: OneCafeVerifier(), issuer: issuer,
                throttle: AttemptThrottle())
            try await body(registry, client)
        }
    }

    func loginHeldAtTheVerifier(_ registry: SessionRegistry) async throws -> Task<IssuedTokens, any Error> {
        let arrived = gate.arrived
        let login = Task {
            try await registry.login(email: account.email, password: Self.password, client: ClientInfo(address: "", userAgent: ""))
        }
        try await waitUntil("the login's verification in flight") { gate.arrived == arrived + 1 }
        return login
    }

    @Test func aLoginVerifiedBeforeAPasswordChangeOpensNoSession() async throws {
        try await withRegistry { registry, _ in
            let login = try await loginHeldAtTheVerifier(registry)
            // The change is acknowledged: auth has the new hash, idm ended every session of the user.
            try await registry.revoke(.user(account.userID, except: nil), reason: "password_changed")
            gate.open()
            let error = await Fixtures.appError { _ = try await login.value }
            #expect(error?.code == .unauthenticated)
            #expect(try await registry.activeSessions(userID: account.userID.uuidString).isEmpty)
            // A login after the change (verified after it) works.
            _ = try await registry.login(email: account.email, password: Self.password, client: ClientInfo(address: "", userAgent: ""))
        }
    }

    @Test func aLoginVerifiedBeforeADeactivationOpensNoSession() async throws {
        try await withRegistry { registry, _ in
            let login = try await loginHeldAtTheVerifier(registry)
            var deactivated = account
            deactivated.active = false
            deactivated.version = 2
            try await registry.applyUserState(deactivated, from: try Fixtures.received(EventCatalog.userDeactivated.name, json: "{}"))
            gate.open()
            let error = await Fixtures.appError { _ = try await login.value }
            #expect(error?.code == .unauthenticated)
            #expect(try await registry.activeSessions(userID: account.userID.uuidString).isEmpty)
        }
    }

    @Test func aSessionOpenedJustBeforeAPasswordChangeEndsWithIt() async throws {
        try await withRegistry { registry, _ in
            gate.open()
            let tokens = try await registry.login(email: account.email, password: Self.password, client: ClientInfo(address: "", userAgent: ""))
            try await registry.revoke(.user(account.userID, except: nil), reason: "password_changed")
            await #expect(throws: TokenRejection.revoked) { _ = try await registry.validate(tokens.accessToken) }
            let refresh = await Fixtures.appError { _ = try await registry.refresh(tokens.refreshToken, client: ClientInfo(address: "", userAgent: "")) }
            #expect(refresh?.code == .unauthenticated)
        }
    }

    /// Refresh compares the session with the account too: a session that began before a change
    /// which ended the user's sessions is ended at its next refresh, whatever let it escape.
    @Test func refreshEndsASessionThatBeganBeforeTheLatestChange() async throws {
        try await withRegistry { registry, client in
            gate.open()
            let tokens = try await registry.login(email: account.email, password: Self.password, client: ClientInfo(address: "", userAgent: ""))
            try await client.execute("UPDATE accounts SET epoch = epoch + 1000 WHERE user_id = $1", [.uuid(account.userID)])
            let refresh = await Fixtures.appError { _ = try await registry.refresh(tokens.refreshToken, client: ClientInfo(address: "", userAgent: "")) }
            #expect(refresh?.code == .unauthenticated)
            await #expect(throws: TokenRejection.revoked) { _ = try await registry.validate(tokens.accessToken) }
        }
    }
}
