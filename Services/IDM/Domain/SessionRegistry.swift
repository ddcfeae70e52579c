import AccessTokens
import Contracts
import EventKit
import FoundationEssentials
import PlatformCore
import SwiftProtobuf

/// What a successful login or refresh hands out.
public struct IssuedTokens: Sendable {
    public var accessToken: String
    public var refreshToken: String
    public var claims: AccessClaims
    public var accessExpiresIn: Int64
    public var refreshExpiresIn: Int64
}

/// Where a request came from, as the gateway saw it.
public struct ClientInfo: Sendable, Equatable {
    public var address: String
    public var userAgent: String

    public init(address: String, userAgent: String) {
        self.address = String(address.prefix(64))
        self.userAgent = String(userAgent.prefix(256))
    }
}

/// Sessions and tokens: login (through auth, throttled), refresh rotation with reuse
/// detection, validation, logout and revocation (each publishing `session.revoked`), session
/// listing and the last connection.
public struct SessionRegistry: Sendable {
    private let store: any SessionStore
    private let credentials: any CredentialVerifier
    private let locations: any LocationVerifier
    private let issuer: AccessTokenIssuer
    private let verifier: AccessTokenVerifier
    private let throttle: any AttemptThrottling
    private let refreshLifetime: TimeInterval
    private let eventsCommitted: @Sendable () -> Void
    private let now: @Sendable () -> Date

    public init(
        store: any SessionStore, credentials: any CredentialVerifier, locations: any LocationVerifier,
        issuer: AccessTokenIssuer, throttle: any AttemptThrottling, refreshLifetime: Duration = .seconds(30 * 24 * 3600), eventsCommitted: @escaping @Sendable () -> Void = {},
        now: @escaping @Sendable () -> Date = Date.init
    ) async throws {
        self.store = store
        self.credentials = credentials
        self.locations = locations
        self.issuer = issuer
        self.verifier = try await AccessTokenVerifier(settings: issuer.settings, jwks: issuer.jwks)
        self.throttle = throttle
        self.refreshLifetime = TimeInterval(refreshLifetime.components.seconds)
        self.eventsCommitted = eventsCommitted
        self.now = now
    }

    public var jwks: JWKSet { issuer.jwks }
    /// How long a revoked session's tokens could still pass the other checks (leeway included).
    public var revocationLifetime: TimeInterval { issuer.settings.revocationLifetime }

    /// Verifies the credentials through auth (throttled) and opens a session, unless a change that
    /// ends the user's sessions (password change, deactivation) happened since the verification
    /// began: such a login gets the same 401 as a wrong password.
    public func login(email: String, password: String, client: ClientInfo) async throws -> IssuedTokens {
        let email = EmailAddress.normalized(email)
        let time = now()
        let epoch = try await store.currentEpoch()
        let attempt = try await throttle.begin(account: email, address: client.address, now: time)
        let account: AccountInfo
        do {
            account = try await credentials.verify(email: email, password: password)
            await throttle.succeeded(attempt)
        } catch let error as AppError where error.code == .unauthenticated {
            await throttle.failed(attempt)
            throw Self.invalidCredentials
        } catch {
            await throttle.abandoned(attempt)
            throw error
        }
        let refreshToken = RefreshToken.generate()
        let candidate = SessionRecord(
            id: UUID(), userID: account.userID, email: account.email, roles: account.roles, clientAddress: client.address,
            userAgent: client.userAgent, createdAt: time, lastSeenAt: time,
            refreshExpiresAt: time.addingTimeInterval(refreshLifetime))
        guard
            let session = try await store.open(
                candidate, refreshHash: RefreshToken.hash(refreshToken), account: account, epoch: epoch)
        else { throw Self.invalidCredentials }
        return try await tokens(for: session, refreshToken: refreshToken, at: time)
    }

    /// A café terminal's login with the café's access code, checked by product (throttled like a
    /// login, per café and per address). The session's user is the café; its tokens carry the role
    /// `terminal` and the café as `location_id`. A wrong code and an unknown or inactive café are
    /// the same 401. A change of the code or a deactivation that happens while the code is checked
    /// refuses the login, as a password change refuses a user's.
    public func terminalLogin(location: String, code: String, client: ClientInfo) async throws -> IssuedTokens {
        let time = now()
        let epoch = try await store.currentEpoch()
        let attempt = try await throttle.begin(account: "café:" + location.lowercased(), address: client.address, now: time)
        let café: UUID
        do {
            café = try await locations.verifyAccess(location: location, code: code)
            await throttle.succeeded(attempt)
        } catch let error as AppError where error.code == .unauthenticated {
            await throttle.failed(attempt)
            throw Self.invalidAccessCode
        } catch {
            await throttle.abandoned(attempt)
            throw error
        }
        let refreshToken = RefreshToken.generate()
        let terminal = AccountInfo.terminal(of: café)
        let candidate = SessionRecord(
            id: UUID(), userID: café, email: terminal.email, roles: terminal.roles, clientAddress: client.address,
            userAgent: client.userAgent, createdAt: time, lastSeenAt: time, refreshExpiresAt: time.addingTimeInterval(refreshLifetime),
            locationID: café)
        guard
            let session = try await store.open(candidate, refreshHash: RefreshToken.hash(refreshToken), account: terminal, epoch: epoch)
        else { throw Self.invalidAccessCode }
        return try await tokens(for: session, refreshToken: refreshToken, at: time)
    }

    public func refresh(_ refreshToken: String, client: ClientInfo) async throws -> IssuedTokens {
        let hash = RefreshToken.hash(refreshToken)
        let time = now()
        guard let session = try await store.session(refreshHash: hash), session.isActive(at: time) else {
            throw Self.invalidRefresh
        }
        // Roles may have changed since login; a deactivated account's session, or one a password
        // change or deactivation ended while it was being opened, ends here. A terminal's session
        // ends with its café's code (location.access_changed), which needs no lookup here.
        let account: AccountInfo?
        if let location = session.locationID {
            account = AccountInfo.terminal(of: location)
        } else {
            account = try await credentials.account(userID: session.userID)
        }
        guard let account else {
            try await revoke(.session(session.id, ownedBy: nil), reason: "unknown_account")
            throw Self.invalidRefresh
        }
        let next = RefreshToken.generate()
        let result = try await store.rotate(
            hash: hash, newHash: RefreshToken.hash(next), account: account, now: time,
            revocationEvent: revocationEvent(at: time))
        switch result {
        case .rotated(let session):
            return try await tokens(for: session, refreshToken: next, at: time)
        case .reused:
            eventsCommitted()
            throw Self.invalidRefresh
        case .ended(let session):
            try await revoke(.session(session.id, ownedBy: nil), reason: "account_changed")
            throw Self.invalidRefresh
        case .rejected:
            throw Self.invalidRefresh
        }
    }

    /// Signature, expiry, issuer, audience, and a live session. Throws `TokenRejection` for a
    /// bad token, anything else when the session cannot be checked (the store is down).
    public func validate(_ token: String) async throws -> AccessClaims {
        let claims = try await verifier.verify(token, now: now())
        guard let sessionID = UUID(uuidString: claims.sid) else { throw TokenRejection.malformed }
        guard let session = try await store.find(id: sessionID), session.revokedAt == nil else {
            throw TokenRejection.revoked
        }
        return claims
    }

    /// Revokes the token's session. An expired but genuine token still ends its session.
    /// Throws `TokenRejection` for a token that is not genuine.
    public func logout(_ token: String) async throws -> Bool {
        let claims = try await verifier.verify(token, now: now(), checkExpiry: false)
        guard let sessionID = UUID(uuidString: claims.sid), let userID = UUID(uuidString: claims.userID) else {
            throw TokenRejection.malformed
        }
        return try await !revoke(.session(sessionID, ownedBy: userID), reason: "logout").isEmpty
    }

    /// Returns the ids of the sessions revoked (the caller's edge can refuse them at once).
    @discardableResult
    public func revoke(_ target: RevocationTarget, reason: String, handledEvent: ReceivedEvent? = nil) async throws -> [UUID] {
        let time = now()
        let revoked = try await store.revoke(
            target, reason: reason, at: time, handledEvent: handledEvent, revocationEvent: revocationEvent(at: time))
        if let revoked, !revoked.isEmpty { eventsCommitted() }
        return revoked?.map(\.id) ?? []
    }

    /// A user's state from the user service's events (`user.updated`, `user.deactivated`), applied
    /// when newer than what idm knows: a deactivation ends every session of the user, and a change
    /// of roles ends the sessions that carry the old ones (the gateway refuses their tokens within
    /// milliseconds), so a demoted admin keeps no admin token. Once per event.
    public func applyUserState(_ account: AccountInfo, from event: ReceivedEvent) async throws {
        let time = now()
        let revoked = try await store.applyUserState(account, at: time, handledEvent: event, revocationEvent: revocationEvent(at: time))
        if let revoked, !revoked.isEmpty { eventsCommitted() }
    }

    /// The user's own session, or NOT_FOUND (also for someone else's: existence is not revealed).
    public func revokeOwnSession(userID: String, sessionID: String) async throws {
        guard let user = UUID(uuidString: userID), let session = UUID(uuidString: sessionID),
            let found = try await store.find(id: session), found.userID == user, found.isActive(at: now())
        else { throw AppError(.notFound, "no such session") }
        try await revoke(.session(session, ownedBy: user), reason: "revoked_by_user")
    }

    public func activeSessions(userID: String) async throws -> [SessionRecord] {
        guard let user = UUID(uuidString: userID) else { throw AppError(.invalidArgument, "bad user id", details: ["user_id": "must be a UUID"]) }
        return try await store.activeSessions(userID: user, now: now())
    }

    public func lastConnection(email: String) async throws -> Date? {
        try await store.lastLogin(email: EmailAddress.normalized(email))
    }

    /// Sessions whose access tokens may still be unexpired although they are revoked, with the
    /// instant after which that no longer matters.
    public func recentlyRevoked() async throws -> [(id: UUID, expiresAt: Date)] {
        try await store.revokedSessions(since: now().addingTimeInterval(-revocationLifetime)).map {
            ($0.id, $0.revokedAt.addingTimeInterval(revocationLifetime))
        }
    }

    private func tokens(for session: SessionRecord, refreshToken: String, at time: Date) async throws -> IssuedTokens {
        let (token, claims) = try await issuer.issue(
            userID: session.userID.lowercasedString, email: session.email, roles: session.roles,
            sessionID: session.id.lowercasedString, locationID: session.locationID?.lowercasedString, now: time)
        return IssuedTokens(
            accessToken: token, refreshToken: refreshToken, claims: claims, accessExpiresIn: issuer.settings.lifetimeSeconds,
            refreshExpiresIn: Int64(session.refreshExpiresAt.timeIntervalSince(time).rounded(.down)))
    }

    private func revocationEvent(at time: Date) -> RevocationEvent {
        let correlationID = RequestScope.requestID
        let lifetime = revocationLifetime
        return { session, reason in
            try DomainEvent(
                EventCatalog.sessionRevoked,
                .with {
                    $0.sessionID = session.id.lowercasedString
                    $0.userID = session.userID.lowercasedString
                    $0.reason = reason
                    $0.revokedAt = Google_Protobuf_Timestamp(date: time)
                    $0.expiresAt = Google_Protobuf_Timestamp(date: time.addingTimeInterval(lifetime))
                },
                correlationID: correlationID, occurredAt: time)
        }
    }

    static let invalidCredentials = AppError(.unauthenticated, "invalid email or password")
    static let invalidAccessCode = AppError(.unauthenticated, "invalid café or access code")
    static let invalidRefresh = AppError(.unauthenticated, "the refresh token is not valid")
}
