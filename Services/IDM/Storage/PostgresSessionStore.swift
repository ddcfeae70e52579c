import DatabaseKit
import EventKit
import Foundation
import Postgres

/// `SessionStore` on idm's Postgres database; revocations write their events to the outbox in
/// the same transaction.
public struct PostgresSessionStore: SessionStore {
    private let client: PostgresClient
    private static let columns =
        "id, user_id, email, roles, client_address, user_agent, created_at, last_seen_at, refresh_expires_at, revoked_at"

    public init(client: PostgresClient) { self.client = client }

    public func create(_ session: SessionRecord, refreshHash: [UInt8]) async throws {
        try await client.transaction { connection in
            try connection.execute(
                "INSERT INTO sessions (\(Self.columns)) VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9, NULL)",
                [.uuid(session.id), .uuid(session.userID), .string(session.email), .textArray(session.roles),
                 .string(session.clientAddress), .string(session.userAgent), .date(session.createdAt),
                 .date(session.lastSeenAt), .date(session.refreshExpiresAt)])
            try connection.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
                [.bytes(refreshHash), .uuid(session.id), .date(session.createdAt)])
        }
    }

    public func session(refreshHash: [UInt8]) async throws -> SessionRecord? {
        try await client.query(
            "SELECT \(Self.prefixed) FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1",
            [.bytes(refreshHash)]
        ).first.map(Self.session)
    }

    public func rotate(
        hash: [UInt8], newHash: [UInt8], roles: [String], now: Date,
        revocationEvent: @escaping @Sendable (SessionRecord) throws -> DomainEvent
    ) async throws -> RotationResult {
        try await client.transaction { connection in
            guard
                let token = try connection.query(
                    "SELECT session_id, spent_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE", [.bytes(hash)]
                ).first,
                let row = try connection.query(
                    "SELECT \(Self.columns) FROM sessions WHERE id = $1 FOR UPDATE",
                    [.uuid(try token.required("session_id", token.uuid))]
                ).first
            else { return .rejected }
            var session = try Self.session(row)
            guard session.isActive(at: now) else { return .rejected }
            if try !token.isNull("spent_at") {
                try connection.execute("UPDATE sessions SET revoked_at = $2 WHERE id = $1", [.uuid(session.id), .date(now)])
                session.revokedAt = now
                try connection.appendToOutbox(try revocationEvent(session))
                return .reused(session)
            }
            try connection.execute("UPDATE refresh_tokens SET spent_at = $2 WHERE token_hash = $1", [.bytes(hash), .date(now)])
            try connection.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
                [.bytes(newHash), .uuid(session.id), .date(now)])
            try connection.execute(
                "UPDATE sessions SET last_seen_at = $2, roles = $3::text[] WHERE id = $1",
                [.uuid(session.id), .date(now), .textArray(roles)])
            session.lastSeenAt = now
            session.roles = roles
            return .rotated(session)
        }
    }

    public func find(id: UUID) async throws -> SessionRecord? {
        try await client.query("SELECT \(Self.columns) FROM sessions WHERE id = $1", [.uuid(id)]).first.map(Self.session)
    }

    public func revoke(
        _ target: RevocationTarget, at: Date, handledEvent: ReceivedEvent?,
        revocationEvent: @escaping @Sendable (SessionRecord) throws -> DomainEvent
    ) async throws -> [SessionRecord]? {
        let (condition, parameters): (String, [SQLValue]) =
            switch target {
            case .session(let id, let owner): ("id = $2 AND ($3::uuid IS NULL OR user_id = $3)", [.uuid(id), SQLValue(owner)])
            case .user(let userID, let except): ("user_id = $2 AND ($3::uuid IS NULL OR id <> $3)", [.uuid(userID), SQLValue(except)])
            }
        return try await client.transaction { connection in
            if let handledEvent {
                guard try connection.recordInInbox(eventID: handledEvent.id, eventType: handledEvent.type) else { return nil }
            }
            let rows = try connection.query(
                "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND \(condition) RETURNING \(Self.columns)",
                [.date(at)] + parameters)
            let sessions = try rows.map(Self.session)
            for session in sessions { try connection.appendToOutbox(try revocationEvent(session)) }
            return sessions
        }
    }

    public func activeSessions(userID: UUID, now: Date) async throws -> [SessionRecord] {
        try await client.query(
            """
            SELECT \(Self.columns) FROM sessions
            WHERE user_id = $1 AND revoked_at IS NULL AND refresh_expires_at > $2 ORDER BY last_seen_at DESC
            """,
            [.uuid(userID), .date(now)]
        ).map(Self.session)
    }

    public func lastLogin(email: String) async throws -> Date? {
        try await client.query("SELECT max(created_at) AS last FROM sessions WHERE email = $1", [.string(email)]).first?
            .date("last")
    }

    public func revokedSessions(since: Date) async throws -> [(id: UUID, revokedAt: Date)] {
        try await client.query("SELECT id, revoked_at FROM sessions WHERE revoked_at >= $1", [.date(since)]).map {
            (try $0.required("id", $0.uuid), try $0.required("revoked_at", $0.date))
        }
    }

    private static let prefixed = columns.split(separator: ",").map { "s." + $0.trimmingCharacters(in: .whitespaces) }
        .joined(separator: ", ")

    private static func session(_ row: SQLRow) throws -> SessionRecord {
        SessionRecord(
            id: try row.required("id", row.uuid), userID: try row.required("user_id", row.uuid),
            email: try row.required("email", row.string), roles: try row.required("roles", row.textArray),
            clientAddress: try row.required("client_address", row.string),
            userAgent: try row.required("user_agent", row.string), createdAt: try row.required("created_at", row.date),
            lastSeenAt: try row.required("last_seen_at", row.date),
            refreshExpiresAt: try row.required("refresh_expires_at", row.date), revokedAt: try row.date("revoked_at"))
    }
}
