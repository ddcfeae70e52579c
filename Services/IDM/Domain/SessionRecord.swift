import EventKit
import FoundationEssentials

/// A login session: the refresh token chain and every access token issued from it belong to it.
public struct SessionRecord: Sendable, Equatable {
    public var id: UUID
    public var userID: UUID
    public var email: String
    public var roles: [String]
    public var clientAddress: String
    public var userAgent: String
    public var createdAt: Date
    public var lastSeenAt: Date
    public var refreshExpiresAt: Date
    public var revokedAt: Date?
    /// The user's epoch the session began under; a later one means a change ended it.
    public var epoch: Int64
    /// A café terminal's session: `userID` is the café's id.
    public var locationID: UUID?

    public init(
        id: UUID, userID: UUID, email: String, roles: [String], clientAddress: String, userAgent: String, createdAt: Date,
        lastSeenAt: Date, refreshExpiresAt: Date, revokedAt: Date? = nil, epoch: Int64 = 0,
        locationID: UUID? = nil
    ) {
        self.id = id
        self.userID = userID
        self.email = email
        self.roles = roles
        self.clientAddress = clientAddress
        self.userAgent = userAgent
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.refreshExpiresAt = refreshExpiresAt
        self.revokedAt = revokedAt
        self.epoch = epoch
        self.locationID = locationID
    }

    public func isActive(at now: Date) -> Bool { revokedAt == nil && refreshExpiresAt > now }
}

/// Which sessions a revocation applies to.
public enum RevocationTarget: Sendable, Equatable {
    /// One session, only if it belongs to `userID` (nil: whoever owns it).
    case session(UUID, ownedBy: UUID?)
    /// Every session of a user but `except`: a change that ends them all (password change,
    /// deactivation). It raises the user's epoch, so logins verified before it cannot open a
    /// session after it; `except` is vouched for by the change and moves to the new epoch.
    case user(UUID, except: UUID?)
}

/// What presenting a refresh token led to.
public enum RotationResult: Sendable, Equatable {
    /// The token was current: it is now spent and `newHash` is the session's current token.
    case rotated(SessionRecord)
    /// The token was spent before: the session has been revoked (reuse means theft).
    case reused(SessionRecord)
    /// The account is inactive, or a change ended the user's sessions since this one began:
    /// nothing was rotated and the session must end.
    case ended(SessionRecord)
    /// Unknown token, or its session is revoked or expired.
    case rejected
}

/// Builds the `session.revoked` event of a revoked session, with why.
public typealias RevocationEvent = @Sendable (_ session: SessionRecord, _ reason: String) throws -> DomainEvent

/// Sessions, refresh tokens and what idm knows of each account. Revocations write their
/// `session.revoked` events in the same transaction.
public protocol SessionStore: Sendable {
    /// The newest epoch handed out so far; a login reads it before it verifies the password.
    func currentEpoch() async throws -> Int64
    /// Opens `session` for a login that read `epoch` before auth verified `account`. Under the
    /// account's lock: nil (refused) when a change ended the user's sessions after `epoch`, or
    /// when the newer of idm's and auth's states is inactive; the session carries the roles of
    /// that newer state.
    func open(_ session: SessionRecord, refreshHash: [UInt8], account: AccountInfo, epoch: Int64) async throws -> SessionRecord?
    /// The session a refresh token (current or spent) belongs to.
    func session(refreshHash: [UInt8]) async throws -> SessionRecord?
    /// Atomically spends the token `hash` and makes `newHash` current, updating last-seen and the
    /// roles (of the newer of `account` and idm's state); detects reuse and revokes the session
    /// (reason `refresh_token_reuse`); or finds the session ended (`.ended`, nothing changed).
    func rotate(
        hash: [UInt8], newHash: [UInt8], account: AccountInfo, now: Date, revocationEvent: @escaping RevocationEvent
    ) async throws -> RotationResult
    func find(id: UUID) async throws -> SessionRecord?
    /// Revokes the matching active sessions; returns them. With `handledEvent`, the event's id is
    /// recorded in the inbox in the same transaction, and nil means it was handled before.
    func revoke(
        _ target: RevocationTarget, reason: String, at: Date, handledEvent: ReceivedEvent?,
        revocationEvent: @escaping RevocationEvent
    ) async throws -> [SessionRecord]?
    /// Applies a user state from the user service's events when its version is newer than idm's:
    /// an inactive state ends every session of the user (reason `deactivated`, raising the epoch),
    /// changed roles end the sessions that carry other roles (`roles_changed`). Returns the revoked
    /// sessions; nil when the event was handled before (inbox).
    func applyUserState(
        _ account: AccountInfo, at: Date, handledEvent: ReceivedEvent, revocationEvent: @escaping RevocationEvent
    ) async throws -> [SessionRecord]?
    func activeSessions(userID: UUID, now: Date) async throws -> [SessionRecord]
    func lastLogin(email: String) async throws -> Date?
    /// Sessions revoked at or after `since`: (id, revokedAt).
    func revokedSessions(since: Date) async throws -> [(id: UUID, revokedAt: Date)]
}

extension AccountInfo {
    /// Of idm's state and auth's, the one of the higher version (auth's when idm knows none).
    public func newer(than known: AccountInfo?) -> AccountInfo {
        guard let known, known.version > version else { return self }
        return known
    }
}
