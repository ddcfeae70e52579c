import AccessTokens
import Crypto
import Foundation
import PlatformCore
import Testing

@Suite("Access token verification")
struct AccessTokenVerifierTests {
    let settings = TokenSettings(issuer: "test-idm", audience: "test-platform", accessTokenLifetime: .seconds(900))
    let key: SigningKey
    let issuer: AccessTokenIssuer
    let verifier: AccessTokenVerifier

    init() async throws {
        key = try SigningKey.generate()
        issuer = await AccessTokenIssuer(key: key, settings: settings)
        verifier = try await AccessTokenVerifier(settings: settings, jwks: issuer.jwks)
    }

    func issue(now: Date = Date(), roles: [String] = ["customer"], by issuer: AccessTokenIssuer? = nil) async throws -> String {
        try await (issuer ?? self.issuer).issue(
            userID: UUID().uuidString.lowercased(), email: "ada@example.com", roles: roles, sessionID: UUID().uuidString.lowercased(),
            now: now
        ).token
    }

    func rejection(of token: String, by verifier: AccessTokenVerifier? = nil, checkExpiry: Bool = true) async -> TokenRejection? {
        do {
            _ = try await (verifier ?? self.verifier).verify(token, checkExpiry: checkExpiry)
            return nil
        } catch {
            return error
        }
    }

    static func json(_ object: [String: Any]) throws -> String {
        Data(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).base64URLEncoded
    }

    /// The genuine token's payload part, and its header and signature.
    static func parts(of token: String) throws -> (header: String, payload: String, signature: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 3)
        return (parts[0], parts[1], parts[2])
    }

    /// An HS256 token over `payload` whose HMAC key is `secret`, as an attacker who knows the public key would make it.
    func hs256(payload: String, secret: Data) throws -> String {
        let header = try Self.json(["alg": "HS256", "typ": "JWT", "kid": key.kid])
        let input = "\(header).\(payload)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: secret))
        return "\(input).\(Data(mac).base64URLEncoded)"
    }

    @Test func aGenuineTokenVerifies() async throws {
        let now = Date()
        let (token, issued) = try await issuer.issue(
            userID: "user-1", email: "ada@example.com", roles: ["admin"], sessionID: "session-1", now: now)
        let claims = try await verifier.verify(token)
        #expect(claims == issued)
        #expect(claims.userID == "user-1")
        #expect(claims.sessionID == "session-1")
        #expect(claims.roles == ["admin"])
        #expect(claims.expiresAt == Date(timeIntervalSince1970: (now.timeIntervalSince1970 + 900).rounded(.down)))
    }

    @Test func anUnsignedAlgNoneTokenIsRefused() async throws {
        let genuine = try Self.parts(of: try await issue())
        let header = try Self.json(["alg": "none", "typ": "JWT"])
        #expect(await rejection(of: "\(header).\(genuine.payload).") == .unsupportedAlgorithm("none"))
        let withKid = try Self.json(["alg": "none", "kid": key.kid])
        #expect(await rejection(of: "\(withKid).\(genuine.payload).") == .unsupportedAlgorithm("none"))
    }

    @Test func anHS256TokenKeyedWithThePublicKeyCoordinatesIsRefused() async throws {
        let genuine = try Self.parts(of: try await issue())
        let jwk = key.publicJWK
        let x = try #require(Data(base64URLEncoded: jwk.x))
        let y = try #require(Data(base64URLEncoded: jwk.y))
        #expect(await rejection(of: try hs256(payload: genuine.payload, secret: x + y)) == .unsupportedAlgorithm("HS256"))
    }

    @Test func anHS256TokenKeyedWithThePublicKeyPEMIsRefused() async throws {
        let genuine = try Self.parts(of: try await issue())
        let pem = key.privateKey.publicKey.pemRepresentation
        #expect(pem.contains("BEGIN PUBLIC KEY"))
        #expect(await rejection(of: try hs256(payload: genuine.payload, secret: Data(pem.utf8))) == .unsupportedAlgorithm("HS256"))
    }

    @Test func aChangedPayloadWithTheOriginalSignatureIsRefused() async throws {
        let genuine = try Self.parts(of: try await issue(roles: ["customer"]))
        let payload = try #require(Data(base64URLEncoded: genuine.payload))
        var claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        claims["roles"] = ["admin"]
        let forged = "\(genuine.header).\(try Self.json(claims)).\(genuine.signature)"
        #expect(await rejection(of: forged) == .badSignature)
    }

    @Test func anExpiredTokenIsRefused() async throws {
        let token = try await issue(now: Date().addingTimeInterval(-3600))
        #expect(await rejection(of: token) == .expired)
    }

    @Test func anExpiredGenuineTokenIsAcceptedWhenExpiryIsNotChecked() async throws {
        let token = try await issue(now: Date().addingTimeInterval(-3600))
        #expect(await rejection(of: token, checkExpiry: false) == nil)
        let claims = try await verifier.verify(token, checkExpiry: false)
        #expect(claims.expiresAt < Date())
    }

    @Test func aTokenIssuedInTheFutureIsNotYetValid() async throws {
        let token = try await issue(now: Date().addingTimeInterval(3600))
        #expect(await rejection(of: token) == .notYetValid)
    }

    @Test func aTokenFromAnotherIssuerIsRefused() async throws {
        var other = settings
        other.issuer = "someone-else"
        let strict = try await AccessTokenVerifier(settings: other, jwks: issuer.jwks)
        #expect(await rejection(of: try await issue(), by: strict) == .wrongIssuer)
    }

    @Test func aTokenForAnotherAudienceIsRefused() async throws {
        var other = settings
        other.audience = "another-platform"
        let strict = try await AccessTokenVerifier(settings: other, jwks: issuer.jwks)
        #expect(await rejection(of: try await issue(), by: strict) == .wrongAudience)
    }

    @Test func aTokenSignedByAnUnknownKeyIsRefused() async throws {
        let stranger = await AccessTokenIssuer(key: try SigningKey.generate(), settings: settings)
        #expect(await rejection(of: try await issue(by: stranger)) == .unknownKey)
    }

    @Test func aTokenWithoutAKeyIDIsRefused() async throws {
        let genuine = try Self.parts(of: try await issue())
        let header = try Self.json(["alg": "ES256", "typ": "JWT"])
        #expect(await rejection(of: "\(header).\(genuine.payload).\(genuine.signature)") == .unknownKey)
    }

    @Test(arguments: [
        "", "garbage", "a.b", "a.b.c", "a.b.c.d", "!!!.???.###", "bm90IGpzb24.e30.e30", "..",
    ])
    func garbageIsMalformed(token: String) async {
        #expect(await rejection(of: token) == .malformed)
    }

    @Test func anOverLongGenuineTokenIsRefused() async throws {
        let role = String(repeating: "r", count: 60)
        let fits = try await issue(roles: Array(repeating: role, count: 80))
        try #require(fits.utf8.count < 8192)
        #expect(await rejection(of: fits) == nil)

        let tooLong = try await issue(roles: Array(repeating: role, count: 150))
        try #require(tooLong.utf8.count > 8192)
        #expect(await rejection(of: tooLong) == .malformed)
    }
}
