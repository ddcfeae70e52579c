import Contracts
import PlatformAPI
import PlatformCore

/// `/api/auth/browser/*`: sign-in, renewal and sign-out for the web application, with the
/// tokens in cookies (`BrowserSession`) instead of the body.
extension GatewayAPI {
    func browserLogin(_ input: Operations.BrowserLogin.Input) async throws -> Operations.BrowserLogin.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        try requirePresent(["email": body.email, "password": body.password], "email and password are required")
        let client = ClientContext.current
        let tokens = try await peers.idm.login(
            .with {
                $0.email = body.email ?? ""
                $0.password = body.password ?? ""
                $0.clientAddress = client.address
                $0.userAgent = client.userAgent
            })
        return .ok(.init(body: .json(try await startBrowserSession(tokens))))
    }

    func browserTerminalLogin(_ input: Operations.BrowserTerminalLogin.Input) async throws -> Operations.BrowserTerminalLogin.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        try requirePresent(["location_id": body.locationId, "access_code": body.accessCode], "location_id and access_code are required")
        let client = ClientContext.current
        let tokens = try await peers.idm.terminalLogin(
            .with {
                $0.locationID = body.locationId ?? ""
                $0.accessCode = body.accessCode ?? ""
                $0.clientAddress = client.address
                $0.userAgent = client.userAgent
            })
        return .ok(.init(body: .json(try await startBrowserSession(tokens))))
    }

    func browserRefresh(_ input: Operations.BrowserRefresh.Input) async throws -> Operations.BrowserRefresh.Output {
        let client = ClientContext.current
        try browser.checkDoubleSubmit(client.head)
        guard let refreshToken = BrowserSession.cookie(BrowserSession.refreshCookie, in: client.head), !refreshToken.isEmpty else {
            throw AppError(.unauthenticated, "the browser has no session to renew")
        }
        let tokens = try await peers.idm.refresh(
            .with {
                $0.refreshToken = refreshToken
                $0.clientAddress = client.address
                $0.userAgent = client.userAgent
            })
        return .ok(.init(body: .json(try await startBrowserSession(tokens))))
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
