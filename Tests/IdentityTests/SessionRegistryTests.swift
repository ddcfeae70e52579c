import AccessTokens
import Contracts
import EventKit
import Foundation
import IDMService
import PlatformCore
import SwiftProtobuf
import Synchronization
import TestSupport
import Testing

/// auth as idm sees it: one account with one password.
final class OneAccountVerifier: CredentialVerifier {
    let password: String
    private let state: Mutex<AccountInfo>

    init(account: AccountInfo, password: String) {
        self.password = password
        state = Mutex(account)
    }

    var account: AccountInfo { state.withLock { $0 } }

    func setActive(_ active: Bool) { state.withLock { $0.active = active } }

    func verify(email: String, password: String) async throws -> AccountInfo {
        let account = self.account
        guard email == account.email, password == self.password, account.active else {
            throw AppError(.unauthenticated, "invalid email or password")
        }
        return account
    }

    func account(userID: UUID) async throws -> AccountInfo? {
        let account = self.account
        return account.userID == userID ? account : nil
    }
}

/// product as idm sees it: one café with one access code.
final class OneCafeVerifier: LocationVerifier {
    let id = UUID()
    private let state = Mutex((code: "the café code", active: true))

    var code: String { state.withLock { $0.code } }

    func change(code: String? = nil, active: Bool? = nil) {
        state.withLock { state in
            if let code { state.code = code }
            if let active { state.active = active }
        }
    }

    func verifyAccess(location: String, code: String) async throws -> UUID {
        let current = state.withLock { $0 }
        guard UUID(uuidString: location) == id, code == current.code, current.active else {
            throw AppError(.unauthenticated, "invalid café or access code")
        }
        return id
    }
}

/// A verifier that holds every verification at a gate until the test opens it.
struct HeldVerifier: CredentialVerifier {
    let inner: any CredentialVerifier
    let gate: Gate

    func verify(email: String, password: String) async throws -> AccountInfo {
        await gate.pass()
        return try await inner.verify(email: email, password: password)
    }

    func account(userID: UUID) async throws -> AccountInfo? { try await inner.account(userID: userID) }
}

@Suite("Session registry")
struct SessionRegistryTests {
    static let password = "the right password"
    static let lifetime: TimeInterval = 900

    let account = AccountInfo(userID: UUID(), email: "ada@example.com", roles: ["customer", "staff"], active: true)
    let verifier: OneAccountVerifier
    let store = InMemorySessionStore()
    let clock = TestClock()
    let committed = CallCounter()
    let settings = TokenSettings(issuer: "test-idm", audience: "test-platform", accessTokenLifetime: .seconds(900))
    let client = ClientInfo(address: "203.0.113.7", userAgent: "tests")

    init() {
        verifier = OneAccountVerifier(account: account, password: Self.password)
    }

    func registry(
        limits: AttemptThrottle.Limits = .init(), credentials: (any CredentialVerifier)? = nil,
        locations: any LocationVerifier = OneCafeVerifier()
    ) async throws -> SessionRegistry {
        let issuer = await AccessTokenIssuer(key: try SigningKey.generate(), settings: settings)
        let clock = clock
        let committed = committed
        return try await SessionRegistry(
            store: store, credentials: credentials ?? verifier, locations: locations, issuer: issuer, throttle: AttemptThrottle(limits: limits),
            eventsCommitted: { committed.increment() }, now: { clock.now })
    }

    func login(_ sessions: SessionRegistry, password: String = Self.password, email: String = "ada@example.com", from address: String? = nil)
        async throws -> IssuedTokens
    {
        try await sessions.login(
            email: email, password: password, client: address.map { ClientInfo(address: $0, userAgent: "tests") } ?? client)
    }

    func revocations() throws -> [Events_V1_SessionRevoked] {
        try store.outbox.filter { $0.type == "session.revoked" }.map { try Events_V1_SessionRevoked(jsonString: $0.payload) }
    }

    /// Why `body` was refused; nil when it was not (an error other than a `TokenRejection` is a test failure).
    func rejection(_ body: () async throws -> Void) async -> TokenRejection? {
        do {
            try await body()
            return nil
        } catch let rejection as TokenRejection {
            return rejection
        } catch {
            Issue.record("expected a TokenRejection, got \(error)")
            return nil
        }
    }

    @Test func loginHandsOutTokensWithEveryClaim() async throws {
        let sessions = try await registry()
        let tokens = try await login(sessions)
        let parts = tokens.accessToken.split(separator: ".")
        try #require(parts.count == 3)
        let payload = try #require(Data(base64URLEncoded: parts[1]))
        let claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        for key in ["iss", "aud", "sub", "sid", "jti", "iat", "exp", "email", "roles"] {
            #expect(claims[key] != nil, "missing claim \(key)")
        }
        #expect(claims["iss"] as? String == "test-idm")
        #expect(claims["sub"] as? String == account.userID.lowercasedString)
        #expect(claims["email"] as? String == "ada@example.com")
        #expect(claims["roles"] as? [String] == ["customer", "staff"])
        let sid = try #require(claims["sid"] as? String)
        #expect(UUID(uuidString: sid) != nil)
        let iat = try #require((claims["iat"] as? NSNumber)?.doubleValue)
        let exp = try #require((claims["exp"] as? NSNumber)?.doubleValue)
        #expect(iat == clock.now.timeIntervalSince1970.rounded(.down))
        #expect(exp - iat == Self.lifetime)

        #expect(tokens.claims.sid == sid)
        #expect(tokens.accessExpiresIn == 900)
        #expect(!tokens.refreshToken.isEmpty)
        let validated = try await sessions.validate(tokens.accessToken)
        #expect(validated.userID == account.userID.lowercasedString)
    }

    @Test func aWrongPasswordIsUnauthenticated() async throws {
        let sessions = try await registry()
        let error = await Fixtures.appError { _ = try await login(sessions, password: "wrong password") }
        #expect(error?.code == .unauthenticated)
    }

    @Test func refreshHandsOutANewPairForTheSameSession() async throws {
        let sessions = try await registry()
        let first = try await login(sessions)
        clock.advance(by: 60)
        let second = try await sessions.refresh(first.refreshToken, client: client)
        #expect(second.refreshToken != first.refreshToken)
        #expect(second.accessToken != first.accessToken)
        #expect(second.claims.sid == first.claims.sid)
        #expect(second.claims.iat.value > first.claims.iat.value)
        _ = try await sessions.validate(second.accessToken)
    }

    @Test func presentingASpentRefreshTokenFailsAndRevokesTheSession() async throws {
        let sessions = try await registry()
        let first = try await login(sessions)
        let second = try await sessions.refresh(first.refreshToken, client: client)
        #expect(committed.count == 0)

        let reuse = await Fixtures.appError { _ = try await sessions.refresh(first.refreshToken, client: client) }
        #expect(reuse?.code == .unauthenticated)
        #expect(await rejection { _ = try await sessions.validate(second.accessToken) } == .revoked)

        let events = try revocations()
        try #require(events.count == 1)
        #expect(events[0].sessionID == second.claims.sid)
        #expect(events[0].userID == account.userID.lowercasedString)
        #expect(events[0].reason == "refresh_token_reuse")
        #expect(committed.count == 1)

        // The thief's current token dies with the session.
        let current = await Fixtures.appError { _ = try await sessions.refresh(second.refreshToken, client: client) }
        #expect(current?.code == .unauthenticated)
    }

    @Test func afterLogoutTheAccessTokenIsRevoked() async throws {
        let sessions = try await registry()
        let tokens = try await login(sessions)
        #expect(try await sessions.logout(tokens.accessToken))
        #expect(await rejection { _ = try await sessions.validate(tokens.accessToken) } == .revoked)
        #expect(try revocations().map(\.reason) == ["logout"])
        // A second logout finds nothing left to revoke.
        #expect(try await sessions.logout(tokens.accessToken) == false)
        let refresh = await Fixtures.appError { _ = try await sessions.refresh(tokens.refreshToken, client: client) }
        #expect(refresh?.code == .unauthenticated)
    }

    @Test func anExpiredButGenuineTokenStillLogsOut() async throws {
        let sessions = try await registry()
        let tokens = try await login(sessions)
        clock.advance(by: 2 * Self.lifetime)
        #expect(await rejection { _ = try await sessions.validate(tokens.accessToken) } == .expired)
        #expect(try await sessions.logout(tokens.accessToken))
    }

    @Test(arguments: ["", "garbage", "a.b.c"])
    func logoutOfGarbageIsRefused(token: String) async throws {
        let sessions = try await registry()
        _ = try await login(sessions)
        #expect(await rejection { _ = try await sessions.logout(token) } == .malformed)
        #expect(store.outbox.isEmpty)
    }

    @Test func fiveWrongPasswordsBlockEvenTheRightOne() async throws {
        let sessions = try await registry()
        for _ in 0..<5 {
            let error = await Fixtures.appError { _ = try await login(sessions, password: "wrong password") }
            #expect(error?.code == .unauthenticated)
        }
        let blocked = await Fixtures.appError { _ = try await login(sessions) }
        #expect(blocked?.code == .resourceExhausted)
        #expect(blocked?.retryAfterSeconds == 900)

        // Once the failures leave the window the account is free again.
        clock.advance(by: 901)
        _ = try await login(sessions)
    }

    /// 40 simultaneous logins on one account, 39 wrong and the right one last, all in flight before
    /// any verification ends (the verifier holds them): they get no more tries than 40 logins one
    /// after the other would. Attempts count from their start, and only two may be in flight.
    @Test func concurrentGuessesGetNoMoreTriesThanSequentialOnes() async throws {
        let gate = Gate()
        let sessions = try await registry(credentials: HeldVerifier(inner: verifier, gate: gate))
        let outcomes = Locked<[String]>([])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let password = index == 39 ? Self.password : "wrong \(index)"
                    let outcome: String
                    do {
                        _ = try await login(sessions, password: password)
                        outcome = "ok"
                    } catch let error as AppError {
                        outcome = error.code.rawValue
                    }
                    outcomes.update { $0.append(outcome) }
                }
            }
            // Every attempt has reached the verifier or been refused, and none has finished.
            try await waitUntil("all 40 attempts decided") { gate.arrived + outcomes.value.count == 40 }
            #expect(gate.arrived <= 2, "\(gate.arrived) verifications in flight at once")
            gate.open()
            try await group.waitForAll()
        }
        #expect(gate.arrived <= 5)
        #expect(outcomes.value.filter { $0 == "resource_exhausted" }.count >= 35)
    }

    /// 50 simultaneous bogus logins from one address for 50 accounts: only a few verifications of
    /// that address run at once, so a flood from one address cannot fill the verifiers' queue.
    @Test func oneAddressHasOnlyAFewVerificationsInFlight() async throws {
        let gate = Gate()
        let sessions = try await registry(credentials: HeldVerifier(inner: verifier, gate: gate))
        let refused = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let error = await Fixtures.appError {
                        _ = try await login(sessions, password: "guess", email: "victim\(index)@example.com", from: "198.51.100.9")
                    }
                    if error?.code == .resourceExhausted { refused.update { $0 += 1 } }
                }
            }
            try await waitUntil("all 50 attempts decided") { gate.arrived + refused.value == 50 }
            #expect(gate.arrived == AttemptThrottle.Limits().concurrentPerAddress)
            gate.open()
            try await group.waitForAll()
        }
    }

    @Test func aSuccessfulLoginClearsTheAccountsFailures() async throws {
        let sessions = try await registry()
        for _ in 0..<4 { _ = await Fixtures.appError { _ = try await login(sessions, password: "wrong password") } }
        _ = try await login(sessions)
        for _ in 0..<4 { _ = await Fixtures.appError { _ = try await login(sessions, password: "wrong password") } }
        // Eight failures in the window, but only four since the success.
        _ = try await login(sessions)
    }

    @Test func failuresFromOneAddressAcrossEmailsAreLimited() async throws {
        let sessions = try await registry(limits: .init(perAccount: 5, perAddress: 3))
        for index in 0..<3 {
            let error = await Fixtures.appError {
                _ = try await login(sessions, password: "guess", email: "victim\(index)@example.com", from: "198.51.100.1")
            }
            #expect(error?.code == .unauthenticated)
        }
        let blocked = await Fixtures.appError { _ = try await login(sessions, from: "198.51.100.1") }
        #expect(blocked?.code == .resourceExhausted)
        #expect(blocked?.retryAfterSeconds != nil)
        // Another address is not affected.
        _ = try await login(sessions, from: "198.51.100.2")
    }

    @Test func refreshForADeactivatedAccountFailsAndRevokesTheSession() async throws {
        let sessions = try await registry()
        let tokens = try await login(sessions)
        verifier.setActive(false)
        let error = await Fixtures.appError { _ = try await sessions.refresh(tokens.refreshToken, client: client) }
        #expect(error?.code == .unauthenticated)
        #expect(await rejection { _ = try await sessions.validate(tokens.accessToken) } == .revoked)
        let events = try revocations()
        #expect(events.map(\.sessionID) == [tokens.claims.sid])
        #expect(events.map(\.reason) == ["account_changed"])
    }

    @Test func revokingSomeoneElsesSessionIsNotFound() async throws {
        let sessions = try await registry()
        let tokens = try await login(sessions)
        let error = await Fixtures.appError {
            try await sessions.revokeOwnSession(userID: UUID().uuidString, sessionID: tokens.claims.sid)
        }
        #expect(error?.code == .notFound)
        _ = try await sessions.validate(tokens.accessToken)
        #expect(store.outbox.isEmpty)

        // The owner can.
        try await sessions.revokeOwnSession(userID: account.userID.uuidString, sessionID: tokens.claims.sid)
        #expect(await rejection { _ = try await sessions.validate(tokens.accessToken) } == .revoked)
    }

    @Test func aUserDeactivatedEventRevokesEverySessionOnce() async throws {
        let sessions = try await registry()
        let first = try await login(sessions)
        let second = try await login(sessions)
        let handlers = try idmEventHandlers(sessions: sessions)
        let event = try Fixtures.received(
            EventCatalog.userDeactivated,
            .with {
                $0.userID = account.userID.lowercasedString
                $0.deactivatedAt = Google_Protobuf_Timestamp(date: clock.now)
                $0.version = 2
            })
        try await handlers.handle(event)
        #expect(await rejection { _ = try await sessions.validate(first.accessToken) } == .revoked)
        #expect(await rejection { _ = try await sessions.validate(second.accessToken) } == .revoked)
        #expect(Set(try revocations().map(\.sessionID)) == [first.claims.sid, second.claims.sid])

        // A login that auth's lagging copy still lets through is refused: idm knows a newer,
        // inactive state of the user.
        let third = await Fixtures.appError { _ = try await login(sessions) }
        #expect(third?.code == .unauthenticated)
        // The redelivery is a no-op.
        try await handlers.handle(event)
        #expect(try revocations().count == 2)
    }

    /// A revocation is kept until no token of the session can pass the other checks any more,
    /// including the verifier's clock leeway past `exp` (it used to end at exactly one lifetime,
    /// so a revoked token came back to life for the last seconds of its leeway).
    @Test func aRevocationOutlivesEveryTokenOfItsSessionLeewayIncluded() async throws {
        let sessions = try await registry()
        let tokens = try await login(sessions)
        let kept = try await login(sessions)
        clock.advance(by: 30)
        #expect(try await sessions.logout(tokens.accessToken))
        clock.advance(by: 10)

        let recent = try await sessions.recentlyRevoked()
        #expect(recent.map(\.id.lowercasedString) == [tokens.claims.sid])
        #expect(!recent.map(\.id.lowercasedString).contains(kept.claims.sid))
        let listedUntil = try #require(recent.first?.expiresAt)
        let publishedUntil = try #require(try revocations().first?.expiresAt.date)
        let lastAccepted = tokens.claims.expiresAt.addingTimeInterval(TokenSettings.clockLeeway)
        #expect(listedUntil > lastAccepted)
        #expect(publishedUntil > lastAccepted)
        // The verifier does accept the token's signature and expiry up to that instant.
        let verifier = try await AccessTokenVerifier(settings: settings, jwks: sessions.jwks)
        _ = try await verifier.verify(tokens.accessToken, now: lastAccepted.addingTimeInterval(-1))

        // Once every token of the session is beyond acceptance it is no longer listed.
        clock.advance(by: Self.lifetime + 2 * TokenSettings.clockLeeway)
        #expect(try await sessions.recentlyRevoked().isEmpty)
    }
}
