/// What the legacy SOAP endpoint offers, written once: the endpoint checks requests against these
/// operations and writes responses in their order, and the WSDL is generated from them.
public enum UserSOAPContract {
    public static let namespace = "urn:platform:users:soap:v1"
    public static let path = "soap/users"
    /// Requests larger than this are refused before they are parsed.
    public static let bodyLimit = 1 << 20

    public static let registerUser = SOAPOperation(
        "RegisterUser",
        input: [
            .required("username"), .required("email"), .required("password"), .required("first_name"),
            .required("last_name"), .optional("city"),
        ],
        output: [.required("id"), .required("message")])
    public static let getUserByUsername = SOAPOperation("GetUserByUsername", input: [.required("username")], output: userSummary)
    public static let getUserByEmail = SOAPOperation("GetUserByEmail", input: [.required("email")], output: userSummary)

    public static let operations = [registerUser, getUserByUsername, getUserByEmail]

    /// A found user; `username` is left out for users without one.
    static let userSummary: [SOAPOperation.Field] = [.required("id"), .optional("username"), .required("email"), .required("name")]
    /// The fault detail: one `problem` (field and message) per bad field.
    static let faultDetail = "UserFault"
}

/// A document/literal operation whose input and output are sequences of text elements.
public struct SOAPOperation: Sendable {
    public struct Field: Sendable {
        public let name: String
        public let required: Bool

        static func required(_ name: String) -> Field { Field(name: name, required: true) }
        static func optional(_ name: String) -> Field { Field(name: name, required: false) }
    }

    public let name: String
    public let input: [Field]
    public let output: [Field]

    init(_ name: String, input: [Field], output: [Field]) {
        self.name = name
        self.input = input
        self.output = output
    }

    public var responseName: String { name + "Response" }
}
