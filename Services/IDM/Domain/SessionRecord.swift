import EventKit
import Foundation

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

    public init(
        id: UUID, userID: UUID, email: String, roles: [String], clientAddress: String, userAgent: String, createdAt: Date,
        lastSeenAt: Date, refreshExpiresAt: Date, revokedAt: Date? = nil
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
    }

    public func isActive(at now: Date) -> Bool { revokedAt == nil && refreshExpiresAt > now }
}

/// Which sessions a revocation applies to.
public enum RevocationTarget: Sendable, Equatable {
    /// One session, only if it belongs to `userID` (nil: whoever owns it).
    case session(UUID, ownedBy: UUID?)
    /// Every active session of a user, but `except`.
    case user(UUID, except: UUID?)
}

/// What presenting a refresh token led to.
public enum RotationResult: Sendable, Equatable {
    /// The token was current: it is now spent and `newHash` is the session's current token.
    case rotated(SessionRecord)
    /// The token was spent before: the session has been revoked (reuse means theft).
    case reused(SessionRecord)
    /// Unknown token, or its session is revoked or expired.
    case rejected
}

/// Sessions and refresh tokens. Revocations write their `session.revoked` events in the same transaction.
public protocol SessionStore: Sendable {
    func create(_ session: SessionRecord, refreshHash: [UInt8]) async throws
    /// The session a refresh token (current or spent) belongs to.
    func session(refreshHash: [UInt8]) async throws -> SessionRecord?
    /// Atomically spends the token `hash` and makes `newHash` current, updating last-seen and
    /// roles, or detects reuse and revokes the session (writing `revocationEvent(session)`).
    func rotate(
        hash: [UInt8], newHash: [UInt8], roles: [String], now: Date,
        revocationEvent: @escaping @Sendable (SessionRecord) throws -> DomainEvent
    ) async throws -> RotationResult
    func find(id: UUID) async throws -> SessionRecord?
    /// Revokes the matching active sessions; returns them. With `handledEvent`, the event's id is
    /// recorded in the inbox in the same transaction, and nil means it was handled before.
    func revoke(
        _ target: RevocationTarget, at: Date, handledEvent: ReceivedEvent?,
        revocationEvent: @escaping @Sendable (SessionRecord) throws -> DomainEvent
    ) async throws -> [SessionRecord]?
    func activeSessions(userID: UUID, now: Date) async throws -> [SessionRecord]
    func lastLogin(email: String) async throws -> Date?
    /// Sessions revoked at or after `since`: (id, revokedAt).
    func revokedSessions(since: Date) async throws -> [(id: UUID, revokedAt: Date)]
}
