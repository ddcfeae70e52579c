import AccessTokens
import Foundation
@testable import GatewayService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PlatformConfig
import PlatformCore
import PlatformHTTP
import TestSupport
import Testing

@Suite("Gateway access")
struct GatewayAccessTests {
    // MARK: Revocation list

    @Test func aRevokedSessionStaysRevokedUntilItsExpiryAndNotAfter() {
        let list = RevocationList()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        list.revoke("SESSION-A", until: now.addingTimeInterval(60), now: now)
        #expect(list.isRevoked("session-a", now: now))
        #expect(list.isRevoked("session-a", now: now.addingTimeInterval(59)))
        #expect(!list.isRevoked("session-a", now: now.addingTimeInterval(60)))
        #expect(!list.isRevoked("session-a", now: now.addingTimeInterval(61)))
        #expect(!list.isRevoked("session-b", now: now))
    }

    @Test func anEntryThatAlreadyExpiredIsNotAdded() {
        let list = RevocationList()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        list.revoke("session-a", until: now.addingTimeInterval(-1), now: now)
        #expect(list.count == 0)
        // Had it been stored, it would count as revoked at an earlier instant.
        #expect(!list.isRevoked("session-a", now: now.addingTimeInterval(-10)))
    }

    @Test func aLaterRevocationNeverShortensAnEarlierOne() {
        let list = RevocationList()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        list.revoke("session-a", until: now.addingTimeInterval(100), now: now)
        list.revoke("session-a", until: now.addingTimeInterval(10), now: now)
        #expect(list.isRevoked("session-a", now: now.addingTimeInterval(50)))
        #expect(list.count == 1)
    }

    // MARK: Client address

    @Test(arguments: ["not-an-ip", "10.0.0.0/33", "256.1.1.1", "10.0.0/8", "10.0.0.0/x", "1.2.3.4.5", "10.0.0.1, nonsense", "10.0.0.1, ", "/", "10.0.0.0/8/16"])
    func anInvalidTrustedProxyIsAConfigurationError(entry: String) {
        #expect(throws: ConfigError.self) { try ClientAddressResolver(trustedProxies: entry) }
    }

    @Test(arguments: ["", "10.0.0.1", "10.0.0.0/8", " 10.0.0.0/8 , 192.168.1.0/24", "0.0.0.0/0"])
    func validTrustedProxiesAreAccepted(entries: String) throws {
        _ = try ClientAddressResolver(trustedProxies: entries)
    }

    @Test func anIPv4RangeContainsExactlyItsNetwork() throws {
        let range = try #require(ClientAddressResolver.IPv4Range("192.168.1.77/24"))
        #expect(range.contains("192.168.1.0"))
        #expect(range.contains("192.168.1.255"))
        #expect(!range.contains("192.168.2.1"))
        #expect(!range.contains("192.168.1"))
        #expect(!range.contains("::1"))

        let single = try #require(ClientAddressResolver.IPv4Range("10.1.2.3"))
        #expect(single.contains("10.1.2.3"))
        #expect(!single.contains("10.1.2.4"))

        let everything = try #require(ClientAddressResolver.IPv4Range("0.0.0.0/0"))
        #expect(everything.contains("203.0.113.9"))

        let slash31 = try #require(ClientAddressResolver.IPv4Range("172.16.0.1/31"))
        #expect(slash31.contains("172.16.0.0"))
        #expect(!slash31.contains("172.16.0.2"))
    }

    /// Serves `GET /` answering "peer|resolved address" through a live socket, so the peer is real.
    func resolvedAddress(trusting proxies: String, forwardedFor: String?) async throws -> (peer: String, resolved: String) {
        let resolver = try ClientAddressResolver(trustedProxies: proxies)
        let router = Router(context: AppRequestContext.self)
        router.get("/") { request, context -> String in
            "\(context.remoteAddress?.ipAddress ?? "")|\(resolver.address(of: request, context: context))"
        }
        var fields = HTTPFields()
        if let forwardedFor { fields[.xForwardedFor] = forwardedFor }
        let headers = fields
        let answer = try await Application(router: router, logger: Fixtures.quietLogger).test(.live) { client in
            try await client.execute(uri: "/", method: .get, headers: headers) { String(buffer: $0.body) }
        }
        let parts = answer.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 2)
        return (parts[0], parts[1])
    }

    @Test func anUntrustedPeerIsTheClientWhateverItForwards() async throws {
        let (peer, resolved) = try await resolvedAddress(trusting: "10.0.0.0/8", forwardedFor: "203.0.113.5")
        try #require(peer == "127.0.0.1")
        #expect(resolved == "127.0.0.1")
        // The same header from a trusted peer is believed: it did reach the resolver.
        let (_, believed) = try await resolvedAddress(trusting: "127.0.0.1", forwardedFor: "203.0.113.5")
        #expect(believed == "203.0.113.5")
    }

    @Test func behindATrustedProxyTheNearestUntrustedForwardedAddressIsTheClient() async throws {
        let (peer, resolved) = try await resolvedAddress(
            trusting: "127.0.0.0/8, 10.0.0.0/8", forwardedFor: "198.51.100.7, 203.0.113.5, 10.1.2.3")
        try #require(peer == "127.0.0.1")
        #expect(resolved == "203.0.113.5")
    }

    @Test func aTrustedProxyWithoutForwardedAddressesIsTheClient() async throws {
        let (peer, none) = try await resolvedAddress(trusting: "127.0.0.1", forwardedFor: nil)
        try #require(peer == "127.0.0.1")
        #expect(none == "127.0.0.1")
        let (_, allTrusted) = try await resolvedAddress(trusting: "127.0.0.1, 10.0.0.0/8", forwardedFor: "10.0.0.2, 10.0.0.3")
        #expect(allTrusted == "127.0.0.1")
    }

    // MARK: Access gate

    static let settings = TokenSettings(issuer: "test-idm", audience: "test-platform", accessTokenLifetime: .seconds(900))


    func gate(
        issuer: AccessTokenIssuer, revocations: RevocationList = RevocationList(), reloadInterval: Duration = .seconds(30),
        keys: (@Sendable () -> JWKSet)? = nil
    ) async throws -> AccessGate {
        let jwks = issuer.jwks
        return try await AccessGate(
            settings: Self.settings, revocations: revocations, logger: Fixtures.quietLogger, reloadInterval: reloadInterval,
            keySource: { keys?() ?? jwks })
    }

    func issue(_ issuer: AccessTokenIssuer, sessionID: String = UUID().uuidString.lowercased()) async throws -> String {
        try await issuer.issue(userID: "user-1", email: "ada@example.com", roles: ["staff"], sessionID: sessionID).token
    }

    @Test func aGoodBearerTokenAuthenticates() async throws {
        let issuer = await AccessTokenIssuer(key: try SigningKey.generate(), settings: Self.settings)
        let gate = try await gate(issuer: issuer)
        let token = try await issue(issuer, sessionID: "session-1")
        for scheme in ["Bearer ", "bearer ", "BEARER "] {
            let principal = try await gate.authenticate(authorization: scheme + token)
            #expect(principal.userID == "user-1")
            #expect(principal.email == "ada@example.com")
            #expect(principal.roles == ["staff"])
            #expect(principal.sessionID == "session-1")
            #expect(principal.token == token)
            #expect(!principal.has(.admin))
        }
    }

    @Test(arguments: [nil, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc.def.ghi", "Bearer not-a-token"] as [String?])
    func aMissingOrOddAuthorizationHeaderIsUnauthenticated(header: String?) async throws {
        let issuer = await AccessTokenIssuer(key: try SigningKey.generate(), settings: Self.settings)
        let gate = try await gate(issuer: issuer)
        let error = await Fixtures.appError { _ = try await gate.authenticate(authorization: header) }
        #expect(error?.code == .unauthenticated)
    }

    @Test func aTokenWithAnotherSchemeIsRefusedEvenIfGenuine() async throws {
        let issuer = await AccessTokenIssuer(key: try SigningKey.generate(), settings: Self.settings)
        let gate = try await gate(issuer: issuer)
        let token = try await issue(issuer)
        _ = try await gate.authenticate(authorization: "Bearer " + token)
        let error = await Fixtures.appError { _ = try await gate.authenticate(authorization: "Basic " + token) }
        #expect(error?.code == .unauthenticated)
    }

    @Test func aTokenOfARevokedSessionIsRefusedEvenAfterItWasAccepted() async throws {
        let issuer = await AccessTokenIssuer(key: try SigningKey.generate(), settings: Self.settings)
        let revocations = RevocationList()
        let gate = try await gate(issuer: issuer, revocations: revocations)
        let sessionID = UUID().uuidString.lowercased()
        let token = try await issue(issuer, sessionID: sessionID)
        let other = try await issue(issuer)
        _ = try await gate.authenticate(authorization: "Bearer " + token)

        revocations.revoke(sessionID.uppercased(), until: Date().addingTimeInterval(900))
        let error = await Fixtures.appError { _ = try await gate.authenticate(authorization: "Bearer " + token) }
        #expect(error?.code == .unauthenticated)
        // Other sessions are unaffected.
        _ = try await gate.authenticate(authorization: "Bearer " + other)
    }

    @Test func revokingLocallyRefusesTheSessionAtOnce() async throws {
        let issuer = await AccessTokenIssuer(key: try SigningKey.generate(), settings: Self.settings)
        let gate = try await gate(issuer: issuer)
        let sessionID = UUID().uuidString.lowercased()
        let token = try await issue(issuer, sessionID: sessionID)
        _ = try await gate.authenticate(token: token)
        gate.revokeLocally(sessionID)
        let error = await Fixtures.appError { _ = try await gate.authenticate(token: token) }
        #expect(error?.code == .unauthenticated)
    }

    @Test func aNewSigningKeyIsPickedUpWhenAReloadIsDue() async throws {
        let old = await AccessTokenIssuer(key: try SigningKey.generate(), settings: Self.settings)
        let new = await AccessTokenIssuer(key: try SigningKey.generate(), settings: Self.settings)
        let published = Locked(old.jwks)
        let keys: @Sendable () -> JWKSet = { published.value }
        let eager = try await gate(issuer: old, reloadInterval: .zero, keys: keys)
        let patient = try await gate(issuer: old, reloadInterval: .seconds(3600), keys: keys)
        published.update { $0 = JWKSet(keys: old.jwks.keys + new.jwks.keys) }

        let token = try await issue(new)
        _ = try await eager.authenticate(token: token)
        let error = await Fixtures.appError { _ = try await patient.authenticate(token: token) }
        #expect(error?.code == .unauthenticated)
    }
}
