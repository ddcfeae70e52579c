import AccessTokens
import Crypto
import FoundationEssentials
import HTTPTypes
import Hummingbird
import PlatformConfig
import PlatformCore

/// Sign-in for browsers: the tokens live in cookies scripts cannot read, and every state-changing
/// request authenticated by the session cookie carries a CSRF token. The token is a signed
/// double-submit one: HMAC-SHA256 of the session id under `GATEWAY_CSRF_KEY`, kept in the
/// readable `platform_csrf` cookie for the page to send back as `X-CSRF-Token`. Another site can
/// neither read it nor make one up for someone's session.
struct BrowserSession: Sendable {
    static let sessionCookie = "platform_session"
    static let refreshCookie = "platform_refresh"
    static let csrfCookie = "platform_csrf"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!
    static let refreshPath = "/api/auth/browser/refresh"

    private let key: SymmetricKey
    /// Other origins allowed to send requests with the cookie (`GATEWAY_CORS_ORIGINS`).
    private let trustedOrigins: Set<String>

    init(key: String, trustedOrigins: Set<String>) throws {
        guard key.utf8.count >= 32 else {
            throw ConfigError(variable: "GATEWAY_CSRF_KEY", problem: "must be set to at least 32 random characters")
        }
        self.key = SymmetricKey(data: Array(key.utf8))
        self.trustedOrigins = trustedOrigins
    }

    func csrfToken(sessionID: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(sessionID.utf8), using: key)).base64URLEncoded
    }

    /// The three cookies of a signed-in browser.
    func cookies(accessToken: String, refreshToken: String, sessionID: String, lifetimes: (access: Int, refresh: Int), secure: Bool) -> [Cookie] {
        [
            Self.cookie(Self.sessionCookie, accessToken, path: "/", maxAge: lifetimes.access, httpOnly: true, secure: secure),
            Self.cookie(Self.refreshCookie, refreshToken, path: Self.refreshPath, maxAge: lifetimes.refresh, httpOnly: true, secure: secure),
            Self.cookie(Self.csrfCookie, csrfToken(sessionID: sessionID), path: "/", maxAge: lifetimes.refresh, httpOnly: false, secure: secure),
        ]
    }

    /// Cookies that make the browser forget all three.
    static func clearingCookies(secure: Bool) -> [Cookie] {
        [
            cookie(sessionCookie, "", path: "/", maxAge: 0, httpOnly: true, secure: secure),
            cookie(refreshCookie, "", path: refreshPath, maxAge: 0, httpOnly: true, secure: secure),
            cookie(csrfCookie, "", path: "/", maxAge: 0, httpOnly: false, secure: secure),
        ]
    }

    /// A state-changing request authenticated by the cookie of `sessionID` must come from this
    /// site and carry that session's CSRF token.
    func checkCSRF(_ request: HTTPRequest, sessionID: String) throws {
        try checkOrigin(request)
        guard let sent = request.headerFields[Self.csrfHeader],
            Self.constantTimeEqual(sent, csrfToken(sessionID: sessionID))
        else { throw Self.csrfRefused }
    }

    /// The refresh request carries no session to sign: its header must match the CSRF cookie.
    func checkDoubleSubmit(_ request: HTTPRequest) throws {
        try checkOrigin(request)
        guard let sent = request.headerFields[Self.csrfHeader], let cookie = Self.cookie(Self.csrfCookie, in: request),
            !cookie.isEmpty, Self.constantTimeEqual(sent, cookie)
        else { throw Self.csrfRefused }
    }

    static func cookie(_ name: String, in request: HTTPRequest) -> String? {
        Cookies(from: request.headerFields[values: .cookie])[name]?.value
    }

    static func isState(changing method: HTTPRequest.Method) -> Bool { ![.get, .head, .options].contains(method) }

    /// Browsers say where a request comes from: `Origin` on every unsafe request, and
    /// `Sec-Fetch-Site`. Either must name this site or a trusted origin.
    func checkOrigin(_ request: HTTPRequest) throws {
        if let origin = request.headerFields[.origin] {
            let host = URLComponents(string: origin).map { "\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")" }
            guard trustedOrigins.contains(origin) || (host != nil && host == request.authority) else { throw Self.crossSite }
        } else if let site = request.headerFields[Self.secFetchSite], !["same-origin", "none"].contains(site) {
            throw Self.crossSite
        }
    }

    private static func cookie(_ name: String, _ value: String, path: String, maxAge: Int, httpOnly: Bool, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: httpOnly, sameSite: .strict)
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let csrfRefused = AppError(
        .permissionDenied, "a request signed in by cookie must carry the session's CSRF token in X-CSRF-Token")
    static let crossSite = AppError(.permissionDenied, "requests from other sites are not accepted with the session cookie")
}
