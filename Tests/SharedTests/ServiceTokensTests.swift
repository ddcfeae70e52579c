import FoundationEssentials
import PlatformRPC
import Testing

@Suite struct ServiceTokensTests {
    let key = Array("a-key-only-the-services-share-32b".utf8)

    @Test func aTokenNamesItsCallerUntilItExpires() {
        let gateway = ServiceTokens(caller: "gateway", key: key, lifetime: .seconds(300))
        let checker = ServiceTokens(caller: "auth", key: key)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let token = gateway.token(now: now)
        #expect(checker.caller(of: token, now: now) == "gateway")
        #expect(checker.caller(of: token, now: now.addingTimeInterval(299)) == "gateway")
        #expect(checker.caller(of: token, now: now.addingTimeInterval(300)) == nil)
    }

    @Test func forgedAlteredAndMalformedTokensNameNobody() {
        let now = Date()
        let token = ServiceTokens(caller: "gateway", key: key).token(now: now)
        let checker = ServiceTokens(caller: "auth", key: key)
        let otherKey = ServiceTokens(caller: "gateway", key: Array("another-key-of-thirty-two-bytes!!".utf8))
        #expect(checker.caller(of: otherKey.token(now: now), now: now) == nil)
        // Another caller's name, or a later expiry, under the gateway's signature.
        let parts = token.split(separator: ".")
        #expect(checker.caller(of: "v1.idm.\(parts[2]).\(parts[3])", now: now) == nil)
        #expect(checker.caller(of: "v1.gateway.\(Int64(parts[2])! + 1000).\(parts[3])", now: now) == nil)
        for malformed in ["", "v1", "v1.gateway", "v1..1.x", "v2.gateway.9999999999.\(parts[3])", token + "x", "....."] {
            #expect(checker.caller(of: malformed, now: now) == nil, "\(malformed)")
        }
    }
}
