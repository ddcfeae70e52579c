import Contracts
import PlatformAPI
import PlatformCore

/// `/api/auth/browser/*`: sign-in, renewal and sign-out for the web application, with the
/// tokens in cookies (`BrowserSession`) instead of the body.
extension GatewayAPI {
    func browserLogin(_ input: Operations.BrowserLogin.Input) async throws -> Operations.BrowserLogin.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        return .ok(.init(body: .json(try await startBrowserSession(try await logIn(email: body.email, password: body.password)))))
    }

    func browserTerminalLogin(_ input: Operations.BrowserTerminalLogin.Input) async throws -> Operations.BrowserTerminalLogin.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let tokens = try await logInTerminal(locationID: body.locationId, accessCode: body.accessCode)
        return .ok(.init(body: .json(try await startBrowserSession(tokens))))
    }

    func browserRefresh(_ input: Operations.BrowserRefresh.Input) async throws -> Operations.BrowserRefresh.Output {
        let head = ClientContext.current.head
        try browser.checkDoubleSubmit(head)
        guard let refreshToken = BrowserSession.cookie(BrowserSession.refreshCookie, in: head), !refreshToken.isEmpty else {
            throw AppError(.unauthenticated, "the browser has no session to renew")
        }
        return .ok(.init(body: .json(try await startBrowserSession(try await refresh(refreshToken)))))
    }

    func browserLogout(_ input: Operations.BrowserLogout.Input) async throws -> Operations.BrowserLogout.Output {
        let client = ClientContext.current
        try browser.checkOrigin(client.head)  // another site may not even sign the browser out
        if let token = BrowserSession.cookie(BrowserSession.sessionCookie, in: client.head), !token.isEmpty,
            let caller = try? await gate.authenticate(token: token)
        {
            try browser.checkCSRF(client.head, sessionID: caller.sessionID)
            _ = try await peers.idm.logout(.with { $0.token = token })
            gate.revokeLocally(caller.sessionID)
        }
        ResponseCookies.set(BrowserSession.clearingCookies(secure: client.secure))
        return .noContent(.init())
    }

    /// Sets the cookies of a new token pair and answers the CSRF token that goes with them.
    private func startBrowserSession(_ tokens: Idm_V1_LoginResponse) async throws -> Components.Schemas.BrowserSession {
        let session = try await gate.authenticate(token: tokens.token).sessionID
        ResponseCookies.set(
            browser.cookies(
                accessToken: tokens.token, refreshToken: tokens.refreshToken, sessionID: session,
                lifetimes: (Int(tokens.expiresIn), Int(tokens.refreshExpiresIn)), secure: ClientContext.current.secure))
        return .init(
            csrfToken: browser.csrfToken(sessionID: session), expiresIn: Int(tokens.expiresIn),
            refreshExpiresIn: Int(tokens.refreshExpiresIn))
    }
}
