import AccessTokens
import Contracts
import EventKit
import Foundation
import IDMService
import PlatformCore
import Postgres
import TestSupport
import Testing

/// A product verifier that holds every check at a gate until the test opens it.
struct HeldCafeVerifier: LocationVerifier {
    let inner: OneCafeVerifier
    let gate: Gate

    func verifyAccess(location: String, code: String) async throws -> UUID {
        await gate.pass()
        return try await inner.verifyAccess(location: location, code: code)
    }
}

/// Café terminals' sessions on idm's Postgres store: the café's access code opens one (checked
/// by product, throttled), its tokens carry the role `terminal` and the café, and a change of
/// the code or the café's closing ends them, also while a login is in flight.
@Suite("Terminal sessions", .needs(.postgres))
struct TerminalSessionTests {
    let café = OneCafeVerifier()
    let gate = Gate()
    let client = ClientInfo(address: "198.51.100.4", userAgent: "till/1.0")

    func withRegistry(held: Bool = false, _ body: (SessionRegistry) async throws -> Void) async throws {
        let migrations = try ServiceSchemas.migrations(of: "IDM", eventTables: .init(outbox: true, inbox: true))
        try await TestPostgres.withSchema(migrations: migrations, maxConnections: 6) { client in
            let issuer = await AccessTokenIssuer(key: try SigningKey.generate(), settings: TokenSettings())
            let credentials = OneAccountVerifier(
                account: AccountInfo(userID: UUID(), email: "ada@example.com", roles: ["customer"], active: true), password: "pw")
            let registry = try await SessionRegistry(
                store: PostgresSessionStore(client: client), credentials: credentials,
                locations: held ? HeldCafeVerifier(inner: café, gate: gate) : café, issuer: issuer, throttle: AttemptThrottle())
            try await body(registry)
        }
    }

    func login(_ sessions: SessionRegistry, code: String? = nil, location: String? = nil, from address: String? = nil)
        async throws -> IssuedTokens
    {
        try await sessions.terminalLogin(
            location: location ?? café.id.lowercasedString, code: code ?? café.code,
            client: address.map { ClientInfo(address: $0, userAgent: "till/1.0") } ?? client)
    }

    @Test func theCodeOpensASessionOfTheCafé() async throws {
        try await withRegistry { sessions in
            let tokens = try await login(sessions)
            #expect(tokens.claims.roles == ["terminal"])
            #expect(tokens.claims.locationID == café.id.lowercasedString)
            #expect(tokens.claims.userID == café.id.lowercasedString)
            _ = try await sessions.validate(tokens.accessToken)
            // A refresh keeps it a terminal's session without asking auth about the café.
            let refreshed = try await sessions.refresh(tokens.refreshToken, client: client)
            #expect(refreshed.claims.locationID == café.id.lowercasedString)
            #expect(refreshed.claims.roles == ["terminal"])
            #expect(refreshed.claims.sid == tokens.claims.sid)
        }
    }

    @Test func aWrongCodeAndAnUnknownCaféAreTheSameRefusal() async throws {
        try await withRegistry { sessions in
            let wrong = await Fixtures.appError { _ = try await login(sessions, code: "not the code") }
            let unknown = await Fixtures.appError { _ = try await login(sessions, location: UUID().uuidString) }
            café.change(active: false)
            let closed = await Fixtures.appError { _ = try await login(sessions) }
            #expect([wrong, unknown, closed].map { $0?.code } == [.unauthenticated, .unauthenticated, .unauthenticated])
            #expect(Set([wrong, unknown, closed].map { $0?.message }).count == 1)
        }
    }

    @Test func failuresAreThrottledPerCaféAndPerAddress() async throws {
        try await withRegistry { sessions in
            for index in 0..<5 {
                _ = await Fixtures.appError { _ = try await login(sessions, code: "guess \(index)", from: "203.0.113.\(index)") }
            }
            // Five failures from five addresses: the café is locked, whoever asks.
            let locked = await Fixtures.appError { _ = try await login(sessions, from: "203.0.113.99") }
            #expect(locked?.code == .resourceExhausted)
            // Twenty failures from one address across cafés lock that address.
            for _ in 0..<20 {
                _ = await Fixtures.appError { _ = try await login(sessions, code: "guess", location: UUID().uuidString, from: "192.0.2.1") }
            }
            let other = OneCafeVerifier()
            let address = await Fixtures.appError {
                _ = try await sessions.terminalLogin(
                    location: other.id.lowercasedString, code: other.code, client: ClientInfo(address: "192.0.2.1", userAgent: ""))
            }
            #expect(address?.code == .resourceExhausted)
        }
    }

    @Test func aChangeOfTheCodeEndsTheCafésSessions() async throws {
        try await withRegistry { sessions in
            let first = try await login(sessions)
            let second = try await login(sessions)
            // What idm does with product's `location.access_changed`.
            #expect(try await sessions.revoke(.user(café.id, except: nil), reason: "access_code_changed").count == 2)
            for tokens in [first, second] {
                await #expect(throws: TokenRejection.revoked) { _ = try await sessions.validate(tokens.accessToken) }
                let refresh = await Fixtures.appError { _ = try await sessions.refresh(tokens.refreshToken, client: client) }
                #expect(refresh?.code == .unauthenticated)
            }
        }
    }

    /// The code changes while a login with the old one is being checked: the check passed, but
    /// the session must not open after the change that should have ended it.
    @Test func aLoginInFlightDuringACodeChangeIsRefused() async throws {
        try await withRegistry(held: true) { sessions in
            let oldCode = café.code
            let login = Task { try await self.login(sessions, code: oldCode) }
            try await waitUntil("the code check in flight") { gate.arrived == 1 }
            try await sessions.revoke(.user(café.id, except: nil), reason: "access_code_changed")
            gate.open()
            let refused = await Fixtures.appError { _ = try await login.value }
            #expect(refused?.code == .unauthenticated)
        }
    }
}
