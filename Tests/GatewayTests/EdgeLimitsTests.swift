import Foundation
import HTTPTypes
import NIOCore
import TestSupport
import Testing

/// What the gateway's edge refuses before a handler reads anything, and what its public port
/// keeps to admins.
@Suite("Edge limits")
struct EdgeLimitsTests {
    /// The declared length decides (a raw socket in Tests/e2e/test_security.py proves the body
    /// is not waited for); here the router's test client declares what it sends.
    @Test func aBodyLargerThanTheLimitIs413() async throws {
        try await PlatformStack.run { stack in
            let padding = String(repeating: "a", count: 70 * 1024)
            let json = try await stack.client.call(.post, "/api/auth/register", json: ["email": "x", "name": padding])
            #expect(json.status == 413 && json.errorCode == "payload_too_large", "\(json)")
            let upload = try await stack.client.executeRequest(
                uri: "/api/media/images", method: .post, headers: [.contentType: "image/png"],
                body: ByteBuffer(repeating: 0, count: 11 * 1024 * 1024))
            #expect(upload.status == .contentTooLarge)
        }
    }

    @Test func headersOver16KiBAre431() async throws {
        try await PlatformStack.run { stack in
            let big = try await stack.client.call(.get, "/api/auth/me", headers: [HTTPField.Name("x-padding")!: String(repeating: "a", count: 17 * 1024)])
            #expect(big.status == 431 && big.errorCode == "headers_too_large", "\(big)")
            let fine = try await stack.client.call(.get, "/api/auth/me", headers: [HTTPField.Name("x-padding")!: String(repeating: "a", count: 8 * 1024)])
            #expect(fine.status == 401, "\(fine)")
        }
    }

    @Test func aWrongMethodOnADocumentedPathIs405WithAllow() async throws {
        try await PlatformStack.run { stack in
            let wrong = try await stack.client.call(.delete, "/api/auth/login")
            #expect(wrong.status == 405 && wrong.errorCode == "method_not_allowed", "\(wrong)")
            #expect(wrong.headers[.allow] == "POST")
            let templated = try await stack.client.call(.put, "/api/orders/\(UUID())")
            #expect(templated.status == 405 && templated.headers[.allow] == "GET", "\(templated)")
            #expect(try await stack.client.call(.get, "/api/no-such-thing").status == 404)
        }
    }

    @Test func metricsAndReadinessDetailAreForAdminsOnly() async throws {
        try await PlatformStack.run { stack in
            #expect(try await stack.client.call(.get, "/metrics").status == 404)
            let customer = try await stack.customer()
            #expect(try await stack.client.call(.get, "/metrics", token: customer.accessToken).status == 404)
            let admin = try await stack.admin()
            let metrics = try await stack.client.call(.get, "/metrics", token: admin.accessToken)
            #expect(metrics.status == 200 && metrics.text.contains("# TYPE"))
            let anonymous = try await stack.client.call(.get, "/ready")
            #expect(anonymous["status"] != nil && anonymous["checks"] == nil, "\(anonymous)")
            let detailed = try await stack.client.call(.get, "/ready", token: admin.accessToken)
            #expect(detailed["checks"] is [String: String], "\(detailed)")
        }
    }

    /// The generated code dropped a filter that did not decode to UTF-8 and listed everything.
    @Test func aQueryThatIsNotUTF8Is422() async throws {
        try await PlatformStack.run { stack in
            let admin = try await stack.admin()
            let bad = try await stack.client.call(.get, "/api/admin/users?email=%FF%FE", token: admin.accessToken)
            #expect(bad.status == 422 && bad.errorDetails["query"] != nil, "\(bad)")
            let fine = try await stack.client.call(.get, "/api/admin/users?email=%C3%A9", token: admin.accessToken)
            #expect(fine.status == 200, "\(fine)")
        }
    }
}
