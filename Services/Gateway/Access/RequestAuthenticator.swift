import HTTPTypes
import PlatformAPI

/// Who sent a request: the bearer token when there is one (it wins), else the browser's session
/// cookie, whose state-changing requests must also pass the CSRF check. Nil without credentials.
struct RequestAuthenticator: Sendable {
    let gate: AccessGate
    let browser: BrowserSession

    func caller(of request: HTTPRequest) async throws -> Caller? {
        if let authorization = request.headerFields[.authorization] { return try await gate.authenticate(authorization: authorization) }
        guard let token = BrowserSession.cookie(BrowserSession.sessionCookie, in: request), !token.isEmpty else { return nil }
        let caller = try await gate.authenticate(token: token)
        if BrowserSession.isState(changing: request.method) { try browser.checkCSRF(request, sessionID: caller.sessionID) }
        return caller
    }
}
