import PlatformCore

/// A user's optional handle: 3–32 of `a-z 0-9 . _ -`, unique without regard to case. Letters are
/// accepted in either case and kept lowercased (like emails), so the unique index decides alone.
public enum Username {
    public static let lengths = 3...32

    /// The stored form of `raw`, or the problem with it.
    public static func validated(_ raw: String) -> Result<String, Problem> {
        let text = raw.trimmingWhitespace()
        guard lengths.contains(text.utf8.count) else { return .failure(Problem("must be 3 to 32 characters")) }
        // Checked before lowercasing: some non-ASCII letters (the Kelvin sign) lowercase to ASCII ones.
        guard text.utf8.allSatisfy(isAllowed) else {
            return .failure(Problem("may contain only letters a-z, digits and . _ -"))
        }
        return .success(text.lowercased())
    }

    public struct Problem: Error, Equatable {
        public let message: String
        init(_ message: String) { self.message = message }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
