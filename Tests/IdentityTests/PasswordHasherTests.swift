import Foundation
@testable import PasswordHashing
import Testing

@Suite("Password hashing and policy")
struct PasswordHasherTests {
    let hasher: PasswordHasher

    init() async throws {
        hasher = try await PasswordHasher(cost: 4, threads: 2)
    }

    @Test func aHashIsBcryptAtTheConfiguredCostAndVerifiesItsPassword() async throws {
        let hash = try await hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(hash.utf8.count == 60)
        #expect(!hash.contains("correct horse"))
        #expect(try await hasher.verify("correct horse battery", against: hash))
    }

    @Test func theSamePasswordGetsADifferentSaltEachTime() async throws {
        let first = try await hasher.hash("same password here")
        let second = try await hasher.hash("same password here")
        #expect(first != second)
        // "$2b$04$" + 22 salt characters.
        #expect(first.prefix(29) != second.prefix(29))
        #expect(try await hasher.verify("same password here", against: first))
        #expect(try await hasher.verify("same password here", against: second))
    }

    @Test func aWrongPasswordDoesNotVerify() async throws {
        let hash = try await hasher.hash("the right password")
        #expect(try await hasher.verify("the wrong password", against: hash) == false)
        #expect(try await hasher.verify("the right passwor", against: hash) == false)
        #expect(try await hasher.verify("", against: hash) == false)
    }

    @Test func aTamperedHashDoesNotVerify() async throws {
        let hash = try await hasher.hash("the right password")
        let last = hash.last == "a" ? "b" : "a"
        let tampered = String(hash.dropLast()) + last
        #expect(try await hasher.verify("the right password", against: tampered) == false)
    }

    @Test(arguments: [
        "",
        "plaintext-password",
        "$2b$04$",
        "$2b$04$tooshort",
        "$2b$99$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        "$2b$04$!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "$2",
        "$1$saltsalt$abcdefghijklmnopqrstuv",
    ])
    func aMalformedStoredHashNeverMatches(stored: String) async throws {
        #expect(try await hasher.verify("plaintext-password", against: stored) == false)
    }

    /// An unknown account must cost one real verification at the configured cost.
    @Test func theDecoyIsARealHashAtTheConfiguredCost() async throws {
        #expect(hasher.decoyHash.hasPrefix("$2b$04$"))
        #expect(try await hasher.verify("decoy password for unknown accounts", against: hasher.decoyHash))
    }

    @Test func sevenCharactersAreTooShortAndEightAreEnough() {
        #expect(PasswordPolicy.problem(with: "1234567") != nil)
        #expect(PasswordPolicy.problem(with: "12345678") == nil)
        #expect(PasswordPolicy.problem(with: "") != nil)
    }

    @Test func seventyTwoBytesAreAcceptedAndSeventyThreeRefused() {
        #expect(PasswordPolicy.problem(with: String(repeating: "a", count: 72)) == nil)
        let problem = PasswordPolicy.problem(with: String(repeating: "a", count: 73))
        #expect(problem?.contains("72 bytes") == true)
    }

    @Test func theByteLimitCountsUTF8BytesNotCharacters() {
        // 37 characters, 74 bytes: long enough by characters, too long for bcrypt.
        let accented = String(repeating: "é", count: 37)
        #expect(accented.count >= PasswordPolicy.minimumLength)
        #expect(PasswordPolicy.problem(with: accented) != nil)
    }

    @Test func aPasswordWithANulCharacterIsRefused() {
        #expect(PasswordPolicy.problem(with: "password\u{0}suffix") != nil)
    }
}
