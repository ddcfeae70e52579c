import DatabaseKit
import EventKit
import FoundationEssentials
import Postgres
import ServicePostgres

/// `SessionStore` on idm's Postgres database; revocations write their events to the outbox in
/// the same transaction. Everything that opens, rotates or ends a user's sessions locks the user's
/// `accounts` row first, so those changes are serialised per user.
public struct PostgresSessionStore: SessionStore {
    private let client: PostgresClient
    private static let columns =
        "id, user_id, email, roles, client_address, user_agent, created_at, last_seen_at, refresh_expires_at, revoked_at, epoch, location_id"

    public init(client: PostgresClient) { self.client = client }

    public func currentEpoch() async throws -> Int64 {
        let row = try await client.query("SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS epoch FROM account_epochs")
        return Int64(try row.first.map { try $0.required("epoch", $0.int) } ?? 0)
    }

    public func open(_ session: SessionRecord, refreshHash: [UInt8], account: AccountInfo, epoch: Int64) async throws
        -> SessionRecord?
    {
        try await client.transaction { connection in
            let known = try Self.lockAccount(session.userID, connection)
            guard known.epoch <= epoch else { return nil }
            let state = account.newer(than: known.state)
            guard state.active else { return nil }
            var session = session
            session.roles = state.roles
            session.epoch = known.epoch
            try connection.execute(
                "INSERT INTO sessions (\(Self.columns)) VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8, $9, NULL, $10, $11)",
                [.uuid(session.id), .uuid(session.userID), .string(session.email), .textArray(session.roles),
                 .string(session.clientAddress), .string(session.userAgent), .date(session.createdAt),
                 .date(session.lastSeenAt), .date(session.refreshExpiresAt), .int(session.epoch), SQLValue(session.locationID)])
            try connection.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
                [.bytes(refreshHash), .uuid(session.id), .date(session.createdAt)])
            return session
        }
    }

    public func session(refreshHash: [UInt8]) async throws -> SessionRecord? {
        try await client.query(
            "SELECT \(Self.prefixed) FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1",
            [.bytes(refreshHash)]
        ).first.map(Self.session)
    }

    public func rotate(
        hash: [UInt8], newHash: [UInt8], account: AccountInfo, now: Date, revocationEvent: @escaping RevocationEvent
    ) async throws -> RotationResult {
        try await client.transaction { connection in
            let known = try Self.lockAccount(account.userID, connection)
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
            guard session.userID == account.userID, session.isActive(at: now) else { return .rejected }
            if try !token.isNull("spent_at") {
                try connection.execute("UPDATE sessions SET revoked_at = $2 WHERE id = $1", [.uuid(session.id), .date(now)])
                session.revokedAt = now
                try connection.appendToOutbox(try revocationEvent(session, "refresh_token_reuse"))
                return .reused(session)
            }
            let state = account.newer(than: known.state)
            guard state.active, known.epoch <= session.epoch else { return .ended(session) }
            try connection.execute("UPDATE refresh_tokens SET spent_at = $2 WHERE token_hash = $1", [.bytes(hash), .date(now)])
            try connection.execute(
                "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)",
                [.bytes(newHash), .uuid(session.id), .date(now)])
            try connection.execute(
                "UPDATE sessions SET last_seen_at = $2, roles = $3::text[] WHERE id = $1",
                [.uuid(session.id), .date(now), .textArray(state.roles)])
            session.lastSeenAt = now
            session.roles = state.roles
            return .rotated(session)
        }
    }

    public func find(id: UUID) async throws -> SessionRecord? {
        try await client.query("SELECT \(Self.columns) FROM sessions WHERE id = $1", [.uuid(id)]).first.map(Self.session)
    }

    public func revoke(
        _ target: RevocationTarget, reason: String, at: Date, handledEvent: ReceivedEvent?,
        revocationEvent: @escaping RevocationEvent
    ) async throws -> [SessionRecord]? {
        try await client.transaction { connection in
            if let handledEvent {
                guard try connection.recordInInbox(eventID: handledEvent.id, eventType: handledEvent.type) else { return nil }
            }
            switch target {
            case .session(let id, let owner):
                return try Self.revoke(
                    "id = $2 AND ($3::uuid IS NULL OR user_id = $3)", [.uuid(id), SQLValue(owner)], reason: reason, at: at,
                    connection, revocationEvent)
            case .user(let userID, let except):
                try Self.endEpoch(of: userID, vouchingFor: except, connection)
                return try Self.revoke(
                    "user_id = $2 AND ($3::uuid IS NULL OR id <> $3)", [.uuid(userID), SQLValue(except)], reason: reason,
                    at: at, connection, revocationEvent)
            }
        }
    }

    public func applyUserState(
        _ account: AccountInfo, at: Date, handledEvent: ReceivedEvent, revocationEvent: @escaping RevocationEvent
    ) async throws -> [SessionRecord]? {
        try await client.transaction { connection in
            guard try connection.recordInInbox(eventID: handledEvent.id, eventType: handledEvent.type) else { return nil }
            let known = try Self.lockAccount(account.userID, connection)
            guard account.version > known.version else { return [] }
            try connection.execute(
                "UPDATE accounts SET version = $2, roles = $3::text[], active = $4 WHERE user_id = $1",
                [.uuid(account.userID), .int(account.version), .textArray(account.roles), .bool(account.active)])
            guard account.active else {
                try Self.endEpoch(of: account.userID, vouchingFor: nil, connection)
                return try Self.revoke(
                    "user_id = $2", [.uuid(account.userID)], reason: "deactivated", at: at, connection, revocationEvent)
            }
            return try Self.revoke(
                "user_id = $2 AND roles <> $3::text[]", [.uuid(account.userID), .textArray(account.roles)],
                reason: "roles_changed", at: at, connection, revocationEvent)
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

    /// The user's `accounts` row, created when missing, locked until the transaction ends.
    private static func lockAccount(_ userID: UUID, _ connection: PostgresConnection) throws
        -> (epoch: Int64, version: Int64, state: AccountInfo?)
    {
        try connection.execute("INSERT INTO accounts (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING", [.uuid(userID)])
        guard
            let row = try connection.query(
                "SELECT version, roles, active, epoch FROM accounts WHERE user_id = $1 FOR UPDATE", [.uuid(userID)]
            ).first
        else { throw DatabaseError(.queryFailed, "the account row of \(userID) vanished") }
        let version = Int64(try row.required("version", row.int))
        let epoch = Int64(try row.required("epoch", row.int))
        guard version > 0, let roles = try row.textArray("roles") else { return (epoch, version, nil) }
        let state = AccountInfo(
            userID: userID, email: "", roles: roles, active: try row.required("active", row.bool), version: version)
        return (epoch, version, state)
    }

    /// Raises the user's epoch: logins verified before now cannot open a session any more;
    /// `session` (the one making the change) moves to the new epoch.
    private static func endEpoch(of userID: UUID, vouchingFor session: UUID?, _ connection: PostgresConnection) throws {
        _ = try lockAccount(userID, connection)
        try connection.execute("UPDATE accounts SET epoch = nextval('account_epochs') WHERE user_id = $1", [.uuid(userID)])
        if let session {
            try connection.execute(
                "UPDATE sessions SET epoch = (SELECT epoch FROM accounts WHERE user_id = $1) WHERE id = $2 AND user_id = $1",
                [.uuid(userID), .uuid(session)])
        }
    }

    /// Revokes the active sessions matching `condition` (parameters from $2) and writes their events.
    private static func revoke(
        _ condition: String, _ parameters: [SQLValue], reason: String, at: Date, _ connection: PostgresConnection,
        _ revocationEvent: RevocationEvent
    ) throws -> [SessionRecord] {
        let rows = try connection.query(
            "UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND \(condition) RETURNING \(columns)",
            [.date(at)] + parameters)
        let sessions = try rows.map(session)
        for session in sessions { try connection.appendToOutbox(try revocationEvent(session, reason)) }
        return sessions
    }

    private static let prefixed = columns.split(separator: ",").map { "s." + $0.trimmingWhitespace() }
        .joined(separator: ", ")

    private static func session(_ row: SQLRow) throws -> SessionRecord {
        SessionRecord(
            id: try row.required("id", row.uuid), userID: try row.required("user_id", row.uuid),
            email: try row.required("email", row.string), roles: try row.required("roles", row.textArray),
            clientAddress: try row.required("client_address", row.string),
            userAgent: try row.required("user_agent", row.string), createdAt: try row.required("created_at", row.date),
            lastSeenAt: try row.required("last_seen_at", row.date),
            refreshExpiresAt: try row.required("refresh_expires_at", row.date), revokedAt: try row.date("revoked_at"),
            epoch: Int64(try row.required("epoch", row.int)), locationID: try row.uuid("location_id"))
    }
}
