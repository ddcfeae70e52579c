import Foundation
import MediaService
import Testing

@Suite("Signed links")
struct SignedLinksTests {
    let key = Array("0123456789abcdef0123456789abcdef".utf8)
    let issued = Date(timeIntervalSince1970: 1_800_000_000)

    func parts(_ link: String) throws -> (expires: Int64, signature: String) {
        let query = try #require(URLComponents(string: link)?.queryItems)
        return (
            try #require(query.first { $0.name == "expires" }?.value.flatMap { Int64($0) }),
            try #require(query.first { $0.name == "signature" }?.value)
        )
    }

    @Test func aLinkIsValidForItsImageUntilItExpires() throws {
        let id = UUID()
        let issuedAt = issued
        let link = SignedLinks(key: key, lifetime: .seconds(900)) { issuedAt }.link(to: id, public: false)
        #expect(link.hasPrefix("/media/\(id.uuidString.lowercased())?expires="))
        let (expires, signature) = try parts(link)
        #expect(expires == Int64(issued.timeIntervalSince1970) + 900)
        let later = { @Sendable in issuedAt.addingTimeInterval(899) }
        let expired = { @Sendable in issuedAt.addingTimeInterval(901) }
        #expect(SignedLinks(key: key, now: later).isValid(id: id, expires: expires, signature: signature))
        #expect(!SignedLinks(key: key, now: expired).isValid(id: id, expires: expires, signature: signature))
        #expect(!SignedLinks(key: key, now: later).isValid(id: UUID(), expires: expires, signature: signature))
        #expect(!SignedLinks(key: key, now: later).isValid(id: id, expires: expires + 60, signature: signature))
        var tampered = Array(signature)
        tampered[0] = tampered[0] == "a" ? "b" : "a"
        #expect(!SignedLinks(key: key, now: later).isValid(id: id, expires: expires, signature: String(tampered)))
        #expect(!SignedLinks(key: Array("another key, just as long as it.".utf8), now: later).isValid(
            id: id, expires: expires, signature: signature))
    }

    @Test func aPublicImageHasAPlainLink() {
        let id = UUID()
        #expect(SignedLinks(key: key).link(to: id, public: true) == "/media/\(id.uuidString.lowercased())")
    }
}
