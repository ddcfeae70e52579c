import Foundation
import HTTPTypes
import TestSupport
import Testing

/// A signed-in account of a route test.
struct Account: Sendable {
    let id: String
    let email: String
    let password: String
    let accessToken: String
    let refreshToken: String
}

extension PlatformStack {
    static let goodPassword = "a good password"

    func register(_ email: String, password: String = goodPassword, name: String = "Ann") async throws -> RESTResponse {
        try await client.call(.post, "/api/auth/register", json: ["email": email, "password": password, "name": name])
    }

    func login(_ email: String, _ password: String) async throws -> RESTResponse {
        try await client.call(.post, "/api/auth/login", json: ["email": email, "password": password])
    }

    /// A new customer, registered and signed in.
    func customer(_ tag: String = "ann") async throws -> Account {
        let email = "\(tag)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let registered = try await register(email)
        try #require(registered.status == 201, "\(registered)")
        return try await signIn(email, Self.goodPassword, id: try #require(registered["id"] as? String))
    }

    /// The configured admin, signed in.
    func admin() async throws -> Account {
        let user = try #require(try await stores.users.find(email: Self.adminEmail))
        return try await signIn(Self.adminEmail, Self.adminPassword, id: user.id.uuidString.lowercased())
    }

    func signIn(_ email: String, _ password: String, id: String) async throws -> Account {
        let response = try await login(email, password)
        try #require(response.status == 200, "\(response)")
        return Account(
            id: id, email: email, password: password, accessToken: try #require(response["access_token"] as? String),
            refreshToken: try #require(response["refresh_token"] as? String))
    }
}

extension PlatformStack {
    /// The cookies and CSRF header of a customer signed in through `POST /api/auth/browser/login`.
    func browserSession() async throws -> HTTPFields {
        let account = try await customer()
        let response = try await client.call(
            .post, "/api/auth/browser/login", json: ["email": account.email, "password": account.password])
        try #require(response.status == 200, "\(response)")
        let cookies = response.headers[values: .setCookie].map { $0.prefix { $0 != ";" } }.joined(separator: "; ")
        return [.cookie: cookies, HTTPField.Name("X-CSRF-Token")!: try #require(response["csrf_token"] as? String)]
    }
}
