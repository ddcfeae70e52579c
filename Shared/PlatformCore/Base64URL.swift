import FoundationEssentials

/// base64url without padding (RFC 4648 §5), the encoding of JWT parts, JWK
/// coordinates and the services' tokens.
extension Data {
    public var base64URLEncoded: String {
        base64EncodedString().replacing("+", with: "-").replacing("/", with: "_")
            .replacing("=", with: "")
    }

    public init?(base64URLEncoded text: some StringProtocol) {
        var base64 = String(text).replacing("-", with: "+").replacing("_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
