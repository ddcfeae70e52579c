
/// Email addresses are stored, compared, looked up and throttled in one form: trimmed, in Unicode
/// NFC, case-folded (and NFC again, as folding may decompose). Addresses that look identical are
/// then the same bytes, so Swift's equality (canonical equivalence) and the stores' byte
/// comparison always agree.
public enum EmailAddress {
    public static func normalized(_ raw: String) -> String {
        var folded = String.UnicodeScalarView()
        for scalar in nfc(raw.trimmingWhitespace()).unicodeScalars {
            if let mapped = CaseFolding.fold(scalar) { folded.append(contentsOf: mapped) } else { folded.append(scalar) }
        }
        return nfc(String(folded))
    }

    /// Unicode NFC through the standard library's own normalizer (what Foundation uses as well).
    private static func nfc(_ text: String) -> String { String(decoding: text._nfcCodeUnits, as: UTF8.self) }

    /// A pragmatic check (one `@`, a dotted domain, no spaces or control characters, ≤ 254
    /// bytes); deliverability is not something a syntax check can promise.
    public static func isValid(_ normalized: String) -> Bool {
        guard (3...254).contains(normalized.utf8.count) else { return false }
        let parts = normalized.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last else { return false }
        guard !local.isEmpty, local.utf8.count <= 64 else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else {
            return false
        }
        return normalized.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"()<>,;:\\\"[]".unicodeScalars.contains($0) }
    }
}
