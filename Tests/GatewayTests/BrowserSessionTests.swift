import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Browser sign-in through the gateway's router: tokens in cookies scripts cannot read, the
/// session cookie accepted like a bearer token, CSRF and origin checks on every state change,
/// renewal and sign-out; bearer clients unaffected.
@Suite("Browser sessions")
struct BrowserSessionTests {
    struct Cookies {
        var values: [String: String] = [:]
        var attributes: [String: String] = [:]

        init(_ response: RESTResponse) {
            for field in response.headers[values: .setCookie] {
                let name = String(field.prefix { $0 != "=" })
                values[name] = String(field.dropFirst(name.count + 1).prefix { $0 != ";" })
                attributes[name] = field
            }
        }

        var header: HTTPFields {
            [.cookie: values.filter { !$0.value.isEmpty }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")]
        }
    }

    static let csrf = HTTPField.Name("X-CSRF-Token")!

    func signIn(_ stack: PlatformStack) async throws -> (Cookies, csrf: String) {
        let account = try await stack.customer()
        let response = try await stack.client.call(.post, "/api/auth/browser/login", json: ["email": account.email, "password": account.password])
        try #require(response.status == 200, "\(response)")
        return (Cookies(response), try #require(response["csrf_token"] as? String))
    }

    @Test func aSignInSetsHttpOnlyStrictCookiesAndTheBodyHoldsNoToken() async throws {
        try await PlatformStack.run { stack in
            let (cookies, csrf) = try await signIn(stack)
            func attributes(_ name: String) throws -> Set<String> {
                Set(try #require(cookies.attributes[name]).split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            }
            let session = try attributes("platform_session")
            #expect(session.isSuperset(of: ["HttpOnly", "SameSite=Strict", "Path=/"]))
            #expect(!session.contains("Secure"))  // plain HTTP here; behind TLS (X-Forwarded-Proto from a trusted proxy) it is
            #expect(try attributes("platform_refresh").isSuperset(of: ["HttpOnly", "SameSite=Strict", "Path=/api/auth/browser/refresh"]))
            #expect(try !attributes("platform_csrf").contains("HttpOnly"))
            #expect(cookies.values["platform_csrf"] == csrf)
            let me = try await stack.client.call(.get, "/api/auth/me", headers: cookies.header)
            #expect(me.status == 200, "\(me)")
        }
    }

    @Test func aStateChangeByCookieNeedsTheSessionsCSRFTokenFromThisSite() async throws {
        try await PlatformStack.run { stack in
            let (cookies, csrf) = try await signIn(stack)
            let change: [String: Any] = ["name": "Renamed"]
            let none = try await stack.client.call(.patch, "/api/users/me", json: change, headers: cookies.header)
            #expect(none.status == 403 && none.errorCode == "permission_denied", "\(none)")
            var forged = cookies.header
            forged[Self.csrf] = "forged"
            #expect(try await stack.client.call(.patch, "/api/users/me", json: change, headers: forged).status == 403)
            var crossSite = cookies.header
            crossSite[Self.csrf] = csrf
            crossSite[.origin] = "https://evil.example"
            #expect(try await stack.client.call(.patch, "/api/users/me", json: change, headers: crossSite).status == 403)
            var good = cookies.header
            good[Self.csrf] = csrf
            let changed = try await stack.client.call(.patch, "/api/users/me", json: change, headers: good)
            #expect(changed.status == 200 && changed["name"] as? String == "Renamed", "\(changed)")

            // Another session's token does not fit this one.
            let (_, otherCSRF) = try await signIn(stack)
            var mixed = cookies.header
            mixed[Self.csrf] = otherCSRF
            #expect(try await stack.client.call(.patch, "/api/users/me", json: change, headers: mixed).status == 403)
        }
    }

    @Test func aBearerTokenWinsAndNeedsNoCSRFToken() async throws {
        try await PlatformStack.run { stack in
            let account = try await stack.customer()
            let response = try await stack.client.call(.patch, "/api/users/me", token: account.accessToken, json: ["name": "Bearer"])
            #expect(response.status == 200, "\(response)")
        }
    }

    @Test func renewalNeedsTheDoubleSubmittedTokenAndRotatesTheCookies() async throws {
        try await PlatformStack.run { stack in
            let (cookies, csrf) = try await signIn(stack)
            #expect(try await stack.client.call(.post, "/api/auth/browser/refresh", headers: cookies.header).status == 403)
            var headers = cookies.header
            headers[Self.csrf] = csrf
            let renewed = try await stack.client.call(.post, "/api/auth/browser/refresh", headers: headers)
            #expect(renewed.status == 200, "\(renewed)")
            let next = Cookies(renewed)
            #expect(next.values["platform_refresh"] != cookies.values["platform_refresh"])
            #expect(next.values["platform_csrf"] == csrf)  // the same session
            #expect(try await stack.client.call(.get, "/api/auth/me", headers: next.header).status == 200)
        }
    }

    @Test func signingOutRevokesTheSessionAndClearsTheCookies() async throws {
        try await PlatformStack.run { stack in
            let (cookies, csrf) = try await signIn(stack)
            #expect(try await stack.client.call(.post, "/api/auth/browser/logout", headers: cookies.header).status == 403)
            var headers = cookies.header
            headers[Self.csrf] = csrf
            let out = try await stack.client.call(.post, "/api/auth/browser/logout", headers: headers)
            #expect(out.status == 204, "\(out)")
            #expect(out.headers[values: .setCookie].count == 3 && out.headers[values: .setCookie].allSatisfy { $0.contains("Max-Age=0") })
            #expect(try await stack.client.call(.get, "/api/auth/me", headers: cookies.header).status == 401)
            // Without a session the cookies are cleared all the same.
            #expect(try await stack.client.call(.post, "/api/auth/browser/logout").status == 204)
        }
    }
}

/// What every response carries, the web application's files, and CORS for listed origins only.
@Suite("Web front")
struct WebFrontTests {
    @Test func everyResponseCarriesTheSecurityHeadersErrorsIncluded() async throws {
        try await PlatformStack.run { stack in
            for path in ["/", "/api/auth/me", "/no/such/page", "/health"] {
                let response = try await stack.client.call(.get, path)
                let policy = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!], "\(path)")
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline") && policy.contains("frame-ancestors 'none'"))
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            }
        }
    }

    @Test func filesAreRevalidatedByETagAndGzippedWhenAccepted() async throws {
        try await PlatformStack.run { stack in
            let page = try await stack.client.call(.get, "/")
            #expect(page.status == 200 && page.text.contains("<html lang=\"en\">"))
            #expect(page.headers[.cacheControl] == "no-cache")
            let etag = try #require(page.headers[.eTag])
            #expect(try await stack.client.call(.get, "/", headers: [.ifNoneMatch: etag]).status == 304)
            let gzipped = try await stack.client.call(.get, "/web/app.js", headers: [.acceptEncoding: "gzip, br"])
            #expect(gzipped.headers[.contentEncoding] == "gzip" && gzipped.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(try await stack.client.call(.get, "/web/app.js", headers: [.acceptEncoding: "gzip;q=0"]).headers[.contentEncoding] == nil)
            #expect(try await stack.client.call(.get, "/web/..%2Fopenapi.json").status == 404)
            #expect(try await stack.client.call(.get, "/web/nothing.js").status == 404)
        }
    }

    @Test func listedOriginsGetCORSWithTheDocumentedMethodsAndOthersNothing() async throws {
        try await PlatformStack.run(config: ["GATEWAY_CORS_ORIGINS": "http://localhost:8080"]) { stack in
            let preflight: HTTPFields = [.origin: "http://localhost:8080", .accessControlRequestMethod: "PATCH"]
            let allowed = try await stack.client.call(.options, "/api/admin/users/\(UUID())", headers: preflight)
            #expect(allowed.status == 204)
            #expect(allowed.headers[.accessControlAllowOrigin] == "http://localhost:8080")
            #expect(allowed.headers[.accessControlAllowCredentials] == "true")
            #expect(allowed.headers[.accessControlAllowMethods] == "DELETE, GET, PATCH")
            #expect(allowed.headers[.accessControlAllowHeaders]?.contains("X-CSRF-Token") == true)
            let simple = try await stack.client.call(.get, "/api/products", headers: [.origin: "http://localhost:8080"])
            #expect(simple.headers[.accessControlAllowOrigin] == "http://localhost:8080")

            let other: HTTPFields = [.origin: "https://evil.example", .accessControlRequestMethod: "PATCH"]
            let refused = try await stack.client.call(.options, "/api/admin/users/\(UUID())", headers: other)
            #expect(refused.headers[.accessControlAllowOrigin] == nil && refused.headers[.accessControlAllowCredentials] == nil)
            #expect(try await stack.client.call(.get, "/api/products", headers: [.origin: "https://evil.example"]).headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func theFullHealthIsForAdminsAndNamesEveryService() async throws {
        try await PlatformStack.run { stack in
            #expect(try await stack.client.call(.get, "/api/health/full", token: try await stack.customer().accessToken).status == 403)
            let report = try await stack.client.call(.get, "/api/health/full", token: try await stack.admin().accessToken)
            #expect(report.status == 200, "\(report)")
            let services = try #require(report["services"] as? [[String: Any]])
            #expect(services.compactMap { $0["name"] as? String }.count == 10)
        }
    }
}
