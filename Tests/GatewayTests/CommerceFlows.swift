import EventKit
import Foundation
import TestSupport
import Testing

/// A café of the stack, with its access code.
struct Café: Sendable {
    let id: String
    let code: String
}

/// Commerce set-ups through the gateway, as a client would make them.
extension PlatformStack {
    /// A new staff member, created by the admin and signed in.
    func staff() async throws -> Account {
        let email = "staff-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let created = try await client.call(
            .post, "/api/admin/users", token: try await admin().accessToken,
            json: ["email": email, "password": Self.goodPassword, "name": "Sam", "roles": ["staff"]])
        try #require(created.status == 201, "\(created)")
        return try await signIn(email, Self.goodPassword, id: try #require(created["id"] as? String))
    }

    func café(code: String = "café code \(UUID().uuidString.prefix(6))") async throws -> Café {
        let created = try await client.call(
            .post, "/api/locations", token: try await admin().accessToken,
            json: ["name": "Café \(UUID().uuidString.prefix(8))", "address": "1 Main Street", "access_code": code])
        try #require(created.status == 201, "\(created)")
        return Café(id: try #require(created["id"] as? String), code: code)
    }

    func product(price: Int = 350) async throws -> String {
        let created = try await client.call(
            .post, "/api/products", token: try await admin().accessToken,
            json: ["name": "Brew \(UUID().uuidString.prefix(8))", "category": "coffee", "price_cents": price])
        try #require(created.status == 201, "\(created)")
        return try #require(created["id"] as? String)
    }

    /// A café with one product stocked `quantity` times.
    func stocked(_ quantity: Int = 10) async throws -> (café: Café, product: String) {
        let café = try await café()
        let product = try await product()
        let restocked = try await client.call(
            .post, "/api/locations/\(café.id)/restock", token: try await admin().accessToken,
            json: ["items": [["product_id": product, "quantity": quantity]]])
        try #require(restocked.status == 200, "\(restocked)")
        return (café, product)
    }

    /// A terminal of `café`, signed in with its code.
    func terminal(of café: Café) async throws -> String {
        let response = try await client.call(
            .post, "/api/auth/terminal-login", json: ["location_id": café.id, "access_code": café.code])
        try #require(response.status == 200, "\(response)")
        return try #require(response["access_token"] as? String)
    }

    /// An order of one unit by `account` (a new customer when nil), left waiting for its payment
    /// when `pending` (the payment service does not get `order.created` until a paid order is asked for).
    func order(by account: Account? = nil, pending: Bool = false) async throws -> (order: String, owner: Account) {
        if pending { await stores.bus.hold(EventCatalog.orderCreated.name) }
        var owner: Account
        if let account { owner = account } else { owner = try await customer() }
        let (café, product) = try await stocked()
        let created = try await client.call(
            .post, "/api/orders", token: owner.accessToken,
            json: ["location_id": café.id, "items": [["product_id": product, "quantity": 1]]])
        try #require(created.status == 201, "\(created)")
        return (try #require(created["id"] as? String), owner)
    }

    /// An order that the payment service has charged.
    func paidOrder() async throws -> (order: String, owner: Account) {
        await stores.bus.release(EventCatalog.orderCreated.name)
        let (order, owner) = try await order()
        try await waitUntil("order \(order) paid") {
            try await client.call(.get, "/api/orders/\(order)", token: owner.accessToken)["status"] as? String == "paid"
        }
        return (order, owner)
    }
}
