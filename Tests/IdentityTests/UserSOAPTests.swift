import DatabaseKit
import EventKit
import Foundation
import Hummingbird
import HummingbirdTesting
import PlatformConfig
import PlatformCore
import ServiceKit
import TestSupport
import Testing
import UserService

/// The user service's legacy SOAP endpoint through its real router: registration exactly like
/// REST, lookups, SOAP 1.1 faults with one detail per bad field, and refusals of what XML attacks
/// and oversized or mistyped requests are made of.
@Suite("User SOAP endpoint")
struct UserSOAPTests {
    let store = InMemoryUserStore()

    func withEndpoint(store: (any UserStore)? = nil, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let settings = try ServiceSettings(ServiceManifest.user, config: ConfigReader(["BCRYPT_COST": "4", "LOG_LEVEL": "critical"]))
        let runtime = try await buildUserService(settings, overrides: .init(users: store ?? self.store))
        try await Application(router: try runtime.makeRouter()).test(.router, body)
    }

    static func envelope(_ operation: String, _ fields: [(String, String)], namespace: String = UserSOAPContract.namespace) -> String {
        let body = fields.map { "<u:\($0.0)>\($0.1)</u:\($0.0)>" }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:u="\(namespace)">
            <soap:Body><u:\(operation)>\(body)</u:\(operation)></soap:Body></soap:Envelope>
            """
    }

    static func registration(
        username: String = "ada", email: String = "ada@example.com", password: String = "analytical engine",
        first: String = "Ada", last: String = "Lovelace"
    ) -> String {
        envelope(
            "RegisterUser",
            [("username", username), ("email", email), ("password", password), ("first_name", first), ("last_name", last)])
    }

    /// Posts `xml` and parses the answer (always a SOAP envelope).
    static func call(
        _ client: any TestClientProtocol, _ xml: String, contentType: String = "text/xml; charset=utf-8"
    ) async throws -> (HTTPResponse.Status, XMLNode) {
        try await client.execute(
            uri: "/soap/users", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: xml)
        ) { response in
            #expect(response.headers[.contentType] == "text/xml; charset=utf-8")
            let envelope = try XMLReader.parse(Array(buffer: response.body))
            return (response.status, try #require(envelope.child("Body")?.children.first))
        }
    }

    struct Fault: Equatable {
        var code: String
        var problems: [String: String]
    }

    static func fault(_ node: XMLNode) throws -> Fault {
        #expect(node.name == "Fault")
        let problems = node.child("detail")?.child("UserFault")?.children.map { problem in
            (problem.child("field")?.text ?? "", problem.child("message")?.text ?? "")
        }
        return Fault(code: node.child("faultcode")?.text ?? "", problems: Dictionary(uniqueKeysWithValues: problems ?? []))
    }

    @Test func aRegistrationIsTheRESTOneWithTheNameMadeOfFirstAndLast() async throws {
        try await withEndpoint { client in
            let (status, response) = try await Self.call(client, Self.registration(username: "Ada.L"))
            #expect(status == .ok)
            #expect((response.name, response.namespace) == ("RegisterUserResponse", UserSOAPContract.namespace))
            let id = try #require(UUID(uuidString: response.child("id")?.text ?? ""))
            #expect(response.child("message")?.text == "User registered successfully")
            let user = try #require(try await store.find(id: id))
            #expect((user.email, user.username, user.name, user.roles) == ("ada@example.com", "ada.l", "Ada Lovelace", ["customer"]))
            #expect(store.outbox.map(\.type) == ["user.registered"])
        }
    }

    @Test func aTakenEmailOrUsernameIsAClientFaultNamingTheField() async throws {
        try await withEndpoint { client in
            _ = try await Self.call(client, Self.registration())
            let (status, email) = try await Self.call(client, Self.registration(username: "other"))
            #expect(status == .internalServerError)
            #expect(try Self.fault(email) == Fault(code: "soap:Client", problems: ["email": "is already taken"]))
            let (_, username) = try await Self.call(client, Self.registration(username: "ADA", email: "other@example.com"))
            #expect(try Self.fault(username) == Fault(code: "soap:Client", problems: ["username": "is already taken"]))
            #expect(store.outbox.count == 1)
        }
    }

    @Test func everyBadFieldHasItsOwnDetail() async throws {
        try await withEndpoint { client in
            let (status, node) = try await Self.call(
                client,
                Self.envelope(
                    "RegisterUser",
                    [("username", "a b"), ("email", "not-an-email"), ("password", "short"), ("first_name", " "), ("nickname", "x")]))
            #expect(status == .internalServerError)
            let fault = try Self.fault(node)
            #expect(fault.code == "soap:Client")
            #expect(fault.problems.keys.sorted() == ["email", "first_name", "last_name", "nickname", "password", "username"])
            #expect(fault.problems["last_name"] == "is required")
            #expect(store.outbox.isEmpty)
        }
    }

    @Test func lookupsFindByUsernameInAnyCaseAndByEmailAndSayWhenNobodyMatches() async throws {
        try await withEndpoint { client in
            _ = try await Self.call(client, Self.registration())
            let (_, byUsername) = try await Self.call(client, Self.envelope("GetUserByUsername", [("username", "ADA")]))
            #expect(byUsername.name == "GetUserByUsernameResponse")
            #expect(byUsername.children.map(\.name) == ["id", "username", "email", "name"])
            #expect(byUsername.child("name")?.text == "Ada Lovelace")
            let (_, byEmail) = try await Self.call(client, Self.envelope("GetUserByEmail", [("email", "Ada@Example.com")]))
            #expect(byEmail.child("id")?.text == byUsername.child("id")?.text)
            let (status, unknown) = try await Self.call(client, Self.envelope("GetUserByUsername", [("username", "nobody")]))
            #expect(status == .internalServerError)
            #expect(try Self.fault(unknown).code == "soap:Client")
            #expect(unknown.child("faultstring")?.text == "no such user")
        }
    }

    @Test func markupInANameIsStoredAndAnsweredAsText() async throws {
        try await withEndpoint { client in
            let name = "</u:name><u:id>forged</u:id>&amp;"
            _ = try await Self.call(client, Self.registration(first: "<![CDATA[\(name)]]>", last: "O&apos;Neil &lt;3"))
            let (_, found) = try await Self.call(client, Self.envelope("GetUserByUsername", [("username", "ada")]))
            #expect(found.child("name")?.text == "\(name) O'Neil <3")
            #expect(found.children.filter { $0.name == "id" }.count == 1)
        }
    }

    @Test func entityExpansionAndExternalEntitiesAreRefusedBeforeAnythingIsDone() async throws {
        try await withEndpoint { client in
            let bomb = """
                <?xml version="1.0"?>
                <!DOCTYPE soap:Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
                \(Self.registration(first: "&b;").split(separator: "\n").dropFirst().joined(separator: "\n"))
                """
            let (status, node) = try await Self.call(client, bomb)
            #expect(status == .internalServerError)
            #expect(try Self.fault(node).code == "soap:Client")
            #expect(node.child("faultstring")?.text.contains("document type declarations are not accepted") == true)
            #expect(store.outbox.isEmpty)
        }
    }

    @Test func oversizedMistypedAndOtherVersionsAreRefusedWithFaults() async throws {
        try await withEndpoint { client in
            let big = Self.registration(first: String(repeating: "a", count: UserSOAPContract.bodyLimit))
            let (tooLarge, _) = try await Self.call(client, big)
            #expect(tooLarge == .contentTooLarge)
            let (json, _) = try await Self.call(client, Self.registration(), contentType: "application/json")
            #expect(json == .unsupportedMediaType)
            let soap12 = Self.registration().replacingOccurrences(
                of: "http://schemas.xmlsoap.org/soap/envelope/", with: "http://www.w3.org/2003/05/soap-envelope")
            let (_, version) = try await Self.call(client, soap12)
            #expect(try Self.fault(version).code == "soap:VersionMismatch")
            let otherNamespace = Self.envelope("GetUserByEmail", [("email", "a@example.com")], namespace: "http://example.com/user")
            let (_, unknown) = try await Self.call(client, otherNamespace)
            #expect(try Self.fault(unknown).code == "soap:Client")
            #expect(store.outbox.isEmpty)
        }
    }

    @Test func aStoreFailureIsAServerFaultThatSaysNothingInternal() async throws {
        try await withEndpoint(store: UnreachableUserStore()) { client in
            let (status, node) = try await Self.call(client, Self.envelope("GetUserByEmail", [("email", "ada@example.com")]))
            #expect(status == .internalServerError)
            #expect(try Self.fault(node).code == "soap:Server")
            #expect(node.child("faultstring")?.text.contains("connection") == false)
        }
    }

    /// (The address a client used is written in instead when it sent one: the end-to-end suite checks that.)
    @Test func theWSDLDescribesEveryOperationAtTheServicesAddress() async throws {
        try await withEndpoint { client in
            try await client.execute(uri: "/soap/users?WSDL", method: .get) { response in
                #expect(response.status == .ok)
                let wsdl = try XMLReader.parse(Array(buffer: response.body))
                #expect(wsdl.attributes["targetNamespace"] == UserSOAPContract.namespace)
                let operations = wsdl.child("portType")?.children.compactMap { $0.attributes["name"] }
                #expect(operations == UserSOAPContract.operations.map(\.name))
                let address = wsdl.child("service")?.child("port")?.child("address")?.attributes["location"]
                #expect(address?.hasPrefix("http://") == true && address?.hasSuffix("/soap/users") == true)
            }
            try await client.execute(uri: "/soap/users", method: .get) { #expect($0.status == .badRequest) }
        }
    }
}

/// A store whose database is down.
private struct UnreachableUserStore: UserStore {
    static let down = DatabaseError(.connectionLost, "server closed the connection unexpectedly")
    func insert(_ user: UserRecord, event: DomainEvent) async throws { throw Self.down }
    func find(id: UUID) async throws -> UserRecord? { throw Self.down }
    func find(email: String) async throws -> UserRecord? { throw Self.down }
    func find(username: String) async throws -> UserRecord? { throw Self.down }
    func modify(
        id: UUID, countingAdmins: Bool,
        _ change: @escaping @Sendable (inout UserRecord, _ otherActiveAdmins: Int?) throws -> [DomainEvent]
    ) async throws -> UserRecord? { throw Self.down }
    func list(_ query: UserQuery) async throws -> Page<UserRecord> { throw Self.down }
}
