import Foundation
import PlatformCore
import Testing

/// The text helpers that replace Foundation's formatting, checked against Foundation itself.
struct TextFormsTests {
    /// Every scalar of planes 0 and 1; the planes above hold no cased letters.
    @Test func emailNormalizationFoldsEveryScalarAsFoundationDoes() async {
        var differences: [String] = []
        for value in UInt32(0)..<0x2_0000 {
            if value % 1024 == 0 { await Task.yield() }  // the suite's other tests share two threads
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            if EmailAddress.normalized(text) != foundationNormalized(text) { differences.append(String(value, radix: 16)) }
        }
        #expect(differences.isEmpty, "scalars folded differently: \(differences.prefix(20))")
    }

    @Test(arguments: [
        "  Ångström@Example.COM ", "STRASSE@straße.de", "ﬁnance@ΣΊΣΥΦΟΣ.gr", "A\u{30A}@x.io", "Ǆemal@ＦＵＬＬ.jp", "\u{13A0}\u{13A1}@x.io",
    ])
    func emailNormalizationMatchesFoundationOnWholeAddresses(_ raw: String) {
        #expect(EmailAddress.normalized(raw) == foundationNormalized(raw))
    }

    @Test func hexZeroPaddedAndFixed() {
        #expect([0x00, 0x0F, 0xA5, 0xFF].hexEncoded == "000fa5ff")
        #expect(7.zeroPadded(2) == "07" && 2026.zeroPadded(4) == "2026" && (-5).zeroPadded(3) == "-005")
        #expect(Double.nan.fixed(2) == "nan" && 1e20.fixed(2) == "1e+20")
        #expect(0.125.fixed(2) == "0.13" && 12.0.fixed(2) == "12.00" && 0.004.fixed(2) == "0.00" && (-1.5).fixed(1) == "-1.5")
        #expect("\t a b \n".trimmingWhitespace() == "a b" && "   ".trimmingWhitespace() == "")
        for byte in UInt8(0)...0x7F {
            let scalar = Unicode.Scalar(byte)
            #expect(scalar.isASCIIAlphanumeric == CharacterSet.alphanumerics.contains(scalar))
        }
    }

    @Test func uuidTextIsFoundationsLowercased() {
        for uuid in [UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!]
            + (0..<1_000).map({ _ in UUID() })
        {
            #expect(uuid.lowercasedString == uuid.uuidString.lowercased())
        }
    }

    /// What `EmailAddress.normalized` did with Foundation (its trimming has not changed).
    private func foundationNormalized(_ raw: String) -> String {
        raw.trimmingWhitespace().precomposedStringWithCanonicalMapping
            .folding(options: .caseInsensitive, locale: nil).precomposedStringWithCanonicalMapping
    }
}
