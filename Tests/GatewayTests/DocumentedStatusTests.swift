import Foundation
import HTTPTypes
import PlatformAPI
import TestSupport
import Testing

/// The gateway's OpenAPI document, as it serves it.
let gatewayDocument = try! APIDocument(
    json: Data(contentsOf: ServiceSchemas.repositoryRoot.appendingPathComponent("Services/Gateway/Resources/openapi.json")))

/// An order or restock line of a request body.
func line(_ product: String, _ quantity: Int) -> [String: any Sendable] { ["product_id": product, "quantity": quantity] }

/// A request a scenario sends.
struct Probe: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var token: String?
    var json: [String: any Sendable]?
    var rawBody: (text: String, contentType: String)?

    init(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: [String: any Sendable]? = nil) {
        self.method = method
        self.path = path
        self.token = token
        self.json = json
    }

    func send(to stack: PlatformStack) async throws -> RESTResponse {
        guard let rawBody else { return try await stack.client.call(method, path, token: token, json: json) }
        var headers = HTTPFields()
        headers[.contentType] = rawBody.contentType
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await stack.client.executeRequest(
            uri: path, method: method, headers: headers, body: .init(string: rawBody.text))
        return RESTResponse(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }
}

/// Every status the document names for an operation is one the gateway really answers: each
/// (operation, status) pair has a scenario that produces it, in process, and the scenarios cover
/// exactly the document's pairs.
@Suite("Documented statuses", .needs(.postgres))
struct DocumentedStatusTests {
    /// Pairs that need a real outage of infrastructure, proved by the live-stack suite instead.
    static let provedByTheLiveStack: Set<String> = ["getReady 503"]  // Tests/e2e/test_readiness_failure.py

    /// A request that succeeds, for each operation (fresh accounts each time, so scenarios do not meet).
    static func validProbe(_ operation: String, _ stack: PlatformStack) async throws -> Probe {
        switch operation {
        case "register":
            return Probe(.post, "/api/auth/register", json: ["email": "new-\(UUID())@example.com", "password": "long enough", "name": "N"])
        case "login":
            let account = try await stack.customer()
            return Probe(.post, "/api/auth/login", json: ["email": account.email, "password": account.password])
        case "refreshTokens":
            return Probe(.post, "/api/auth/refresh", json: ["refresh_token": try await stack.customer().refreshToken])
        case "logout": return Probe(.post, "/api/auth/logout", token: try await stack.customer().accessToken)
        case "getAuthenticatedUser": return Probe(.get, "/api/auth/me", token: try await stack.customer().accessToken)
        case "changePassword":
            let account = try await stack.customer()
            return Probe(
                .post, "/api/auth/password", token: account.accessToken,
                json: ["current_password": account.password, "new_password": "another long password"])
        case "getOwnProfile": return Probe(.get, "/api/users/me", token: try await stack.customer().accessToken)
        case "updateOwnProfile":
            return Probe(.patch, "/api/users/me", token: try await stack.customer().accessToken, json: ["name": "Renamed"])
        case "listSessions": return Probe(.get, "/api/sessions", token: try await stack.customer().accessToken)
        case "revokeSession":
            let account = try await stack.customer()
            let sessions = try await stack.client.call(.get, "/api/sessions", token: account.accessToken)
            let id = try #require((sessions["sessions"] as? [[String: Any]])?.first?["id"] as? String)
            return Probe(.delete, "/api/sessions/\(id)", token: account.accessToken)
        case "getLastConnection":
            let account = try await stack.customer()
            return Probe(.get, "/api/sessions/last-connection?email=\(account.email)", token: account.accessToken)
        case "listUsers": return Probe(.get, "/api/admin/users?page=1&page_size=5", token: try await stack.admin().accessToken)
        case "createUser":
            return Probe(
                .post, "/api/admin/users", token: try await stack.admin().accessToken,
                json: ["email": "made-\(UUID())@example.com", "password": "long enough", "name": "M", "roles": ["staff"]])
        case "getUser": return Probe(.get, "/api/admin/users/\(try await stack.customer().id)", token: try await stack.admin().accessToken)
        case "updateUser":
            return Probe(
                .patch, "/api/admin/users/\(try await stack.customer().id)", token: try await stack.admin().accessToken,
                json: ["name": "Renamed"])
        case "deactivateUser":
            return Probe(.delete, "/api/admin/users/\(try await stack.customer().id)", token: try await stack.admin().accessToken)
        case "terminalLogin":
            let café = try await stack.café()
            return Probe(.post, "/api/auth/terminal-login", json: ["location_id": café.id, "access_code": café.code])
        case "listProducts": return Probe(.get, "/api/products?page=1&page_size=5")
        case "getProduct": return Probe(.get, "/api/products/\(try await stack.product())")
        case "listCategories": return Probe(.get, "/api/categories")
        case "createProduct":
            return Probe(
                .post, "/api/products", token: try await stack.staff().accessToken,
                json: ["name": "Brew \(UUID())", "category": "coffee", "price_cents": 300])
        case "updateProduct":
            return Probe(
                .patch, "/api/products/\(try await stack.product())", token: try await stack.staff().accessToken,
                json: ["price_cents": 400])
        case "deactivateProduct":
            return Probe(.delete, "/api/products/\(try await stack.product())", token: try await stack.staff().accessToken)
        case "listLocations": return Probe(.get, "/api/locations")
        case "getLocation": return Probe(.get, "/api/locations/\(try await stack.café().id)")
        case "createLocation":
            return Probe(
                .post, "/api/locations", token: try await stack.admin().accessToken,
                json: ["name": "Café \(UUID())", "address": "2 Side Street", "access_code": "a new code"])
        case "updateLocation":
            return Probe(
                .patch, "/api/locations/\(try await stack.café().id)", token: try await stack.admin().accessToken,
                json: ["name": "Renamed café"])
        case "deactivateLocation":
            return Probe(.delete, "/api/locations/\(try await stack.café().id)", token: try await stack.admin().accessToken)
        case "getStock":
            return Probe(.get, "/api/locations/\(try await stack.stocked().café.id)/stock", token: try await stack.staff().accessToken)
        case "restock":
            let (café, product) = try await stack.stocked()
            return Probe(
                .post, "/api/locations/\(café.id)/restock", token: try await stack.terminal(of: café),
                json: ["items": [line(product, 5)]])
        case "adjustStock":
            let (café, product) = try await stack.stocked()
            return Probe(
                .post, "/api/locations/\(café.id)/stock-adjustments", token: try await stack.staff().accessToken,
                json: ["product_id": product, "delta": -1, "reason": "waste"])
        case "listMovements":
            let (café, product) = try await stack.stocked()
            return Probe(
                .get, "/api/locations/\(café.id)/stock/\(product)/movements?page=1", token: try await stack.staff().accessToken)
        case "listOrders": return Probe(.get, "/api/orders?page=1", token: try await stack.order().owner.accessToken)
        case "createOrder":
            let (café, product) = try await stack.stocked()
            return Probe(
                .post, "/api/orders", token: try await stack.customer().accessToken,
                json: ["location_id": café.id, "items": [line(product, 2)]])
        case "getOrder":
            let (order, owner) = try await stack.order()
            return Probe(.get, "/api/orders/\(order)", token: owner.accessToken)
        case "cancelOrder":
            let (order, owner) = try await stack.order(pending: true)
            return Probe(.post, "/api/orders/\(order)/cancel", token: owner.accessToken)
        case "refundOrder":
            return Probe(.post, "/api/admin/orders/\(try await stack.paidOrder().order)/refund", token: try await stack.admin().accessToken)
        case "listPayments": return Probe(.get, "/api/admin/payments?page=1", token: try await stack.admin().accessToken)
        case "getSalesSummary":
            return Probe(.get, "/api/admin/analytics/summary?month=2026-11", token: try await stack.admin().accessToken)
        case "getSalesOverview":
            return Probe(
                .get, "/api/admin/analytics/overview?from=2026-11-01&to=2026-11-30", token: try await stack.admin().accessToken)
        case "getSalesPredictions": return Probe(.get, "/api/admin/analytics/predictions", token: try await stack.admin().accessToken)
        case "rebuildSalesFacts": return Probe(.post, "/api/admin/analytics/rebuild", token: try await stack.admin().accessToken)
        case "getRebuildStatus": return Probe(.get, "/api/admin/analytics/rebuild", token: try await stack.admin().accessToken)
        case "getTodaySales":
            let café = try await stack.café()
            return Probe(.get, "/api/locations/\(café.id)/sales/today", token: try await stack.terminal(of: café))
        case "getJWKS": return Probe(.get, "/.well-known/jwks.json")
        case "getOpenAPI": return Probe(.get, "/openapi.json")
        case "getOpenAPIYAML": return Probe(.get, "/openapi.yaml")
        case "getDocs": return Probe(.get, "/docs")
        case "getHealth": return Probe(.get, "/health")
        case "headHealth": return Probe(.head, "/health")
        case "getReady": return Probe(.get, "/ready")
        case "getMetrics": return Probe(.get, "/metrics")
        default: throw TestFailure("no valid request for \(operation): add one when adding an operation")
        }
    }

    /// Produces `status` for `operation`, or nil when the scenarios have no way to.
    static func produce(_ status: Int, _ operation: String, _ stack: PlatformStack) async throws -> RESTResponse? {
        var probe = try await validProbe(operation, stack)
        switch status {
        case 200, 201, 202, 204:
            return try await probe.send(to: stack)
        case 401 where operation == "login":
            probe.json = ["email": "nobody-\(UUID())@example.com", "password": "not the password"]
        case 401 where operation == "refreshTokens":
            probe.json = ["refresh_token": "spent-or-never-issued"]
        case 401 where operation == "terminalLogin":
            probe.json?["access_code"] = "not the code"
        case 401 where gatewayDocument.operations[operation]?.access == .optional:
            probe.token = "not.a.token"
        case 401:
            probe.token = nil
        case 403 where operation == "getLastConnection":
            probe.path = "/api/sessions/last-connection?email=\(PlatformStack.adminEmail)"
        case 403 where gatewayDocument.operations[operation]?.access == .signedIn(anyOf: [[]]):
            probe.token = try await stack.terminal(of: try await stack.café())  // for user accounts only
        case 403 where operation == "listProducts":
            probe.token = try await stack.customer().accessToken
            probe.path += "&include_inactive=true"
        case 403 where operation == "createOrder" || operation == "restock":
            probe.token = try await stack.terminal(of: try await stack.café())  // of another café
        case 403 where operation == "cancelOrder":
            probe.token = try await stack.terminal(of: try await stack.café())
        case 403 where ["getStock", "listMovements", "getTodaySales"].contains(operation):
            probe.token = try await stack.terminal(of: try await stack.café())
        case 403:
            probe.token = try await stack.customer().accessToken
        case 404 where operation == "getLastConnection":
            probe.token = try await stack.admin().accessToken
            probe.path = "/api/sessions/last-connection?email=nobody-\(UUID())@example.com"
        case 404 where operation == "getTodaySales":
            // Any café id answers (zeros for one without sales); a malformed one does not.
            probe.path = "/api/locations/not-a-café/sales/today"
        case 404:
            let template = try #require(gatewayDocument.operations[operation]).path
            probe.path = template.replacingOccurrences(of: "{id}", with: UUID().uuidString)
                .replacingOccurrences(of: "{product_id}", with: UUID().uuidString)
            if operation == "getStock" || operation == "restock" || operation == "listMovements" {
                probe.token = try await stack.staff().accessToken
            }
        case 409 where operation == "updateUser" || operation == "deactivateUser":
            // An admin taking away their own admin rights.
            let admin = try await stack.admin()
            probe.token = admin.accessToken
            probe.path = "/api/admin/users/\(admin.id)"
            if operation == "updateUser" { probe.json = ["roles": ["customer"]] }
        case 409 where operation == "createProduct" || operation == "updateProduct":
            let taken = try await stack.client.call(.get, "/api/products/\(try await stack.product())")
            probe.json?["name"] = taken["name"] as? String
        case 409 where operation == "adjustStock":
            probe.json?["delta"] = -11
        case 409 where operation == "createOrder":
            let (café, product) = try await stack.stocked(1)
            probe.json = ["location_id": café.id, "items": [line(product, 2)]]
        case 409 where operation == "rebuildSalesFacts":
            // A rebuild held at its first call to product is under way.
            let product = stack.stores.faults.hold("product")
            defer { stack.stores.faults.release("product") }
            _ = try await probe.send(to: stack)
            try await waitUntil("the rebuild reading product's history") { product.arrived == 1 }
            return try await probe.send(to: stack)
        case 409 where operation == "cancelOrder":
            _ = try await probe.send(to: stack)  // cancelled; a second cancel finds nothing to cancel
        case 409 where operation == "refundOrder":
            probe.path = "/api/admin/orders/\(try await stack.order(pending: true).order)/refund"
        case 409:
            let taken = try await stack.customer().email
            probe.json?["email"] = taken
        case 413:
            probe.json?["padding"] = String(repeating: "x", count: APIMiddleware.maximumJSONBody)
        case 415:
            probe.rawBody = ("email=a@example.com", "text/plain")
        case 422 where probe.json != nil:
            probe.rawBody = ("{\"not json", "application/json")
        case 422 where operation == "getLastConnection":
            probe.path = "/api/sessions/last-connection"
        case 422 where operation == "getSalesSummary":
            probe.path = "/api/admin/analytics/summary?month=2026-13"
        case 422 where operation == "getSalesOverview":
            probe.path = "/api/admin/analytics/overview?from=2026-02-30&to=2026-03-01"
        case 422 where operation == "getStock":
            probe.path += "?low_only=maybe"
        case 422 where probe.method == .get:
            // Every other list: a page that does not exist.
            probe.path = probe.path.split(separator: "?").first.map { "\($0)?page=0&page_size=x" } ?? probe.path
        case 429 where operation == "changePassword":
            for index in 0..<5 {
                var guess = probe
                guess.json?["current_password"] = "guess \(index)"
                _ = try await guess.send(to: stack)
            }
        case 429 where operation == "terminalLogin":
            for index in 0..<5 {
                var guess = probe
                guess.json?["access_code"] = "guess \(index)"
                _ = try await guess.send(to: stack)
            }
        case 429:
            let account = try await stack.customer()
            for _ in 0..<5 { _ = try await stack.login(account.email, "not the password") }
            probe.json = ["email": account.email, "password": account.password]
        case 503:
            let services = ["user", "auth", "idm", "product", "payment", "analytics"]
            for service in services { stack.stores.faults.takeDown(service) }
            defer { for service in services { stack.stores.faults.bringUp(service) } }
            return try await probe.send(to: stack)
        default:
            return nil
        }
        return try await probe.send(to: stack)
    }

    @Test func everyDocumentedStatusIsProduced() async throws {
        try await PlatformStack.run(commerce: true) { stack in
            var unproduced: [String] = []
            for policy in gatewayDocument.operations.values.sorted(by: { $0.operationID < $1.operationID }) {
                for status in policy.statuses.sorted() {
                    let pair = "\(policy.operationID) \(status)"
                    if Self.provedByTheLiveStack.contains(pair) { continue }
                    guard let response = try await Self.produce(status, policy.operationID, stack) else {
                        unproduced.append(pair)
                        continue
                    }
                    #expect(response.status == status, "\(pair): got \(response)")
                    if status >= 400 {
                        #expect(response.errorCode != nil, "\(pair): not the error body: \(response)")
                    }
                }
            }
            #expect(unproduced.isEmpty, "documented but not produced by any scenario: \(unproduced)")
        }
    }
}
