import DatabaseKit
import EventKit
import FoundationEssentials
import Postgres

/// `CredentialStore` on the service's Postgres database, with the inbox in the same transaction.
public struct PostgresCredentialStore: CredentialStore {
    private let client: PostgresClient
    private static let columns = "user_id, email, password_hash, roles, active, source_version"

    public init(client: PostgresClient) { self.client = client }

    public func apply(_ change: CredentialChange, eventID: UUID, eventType: String) async throws -> Bool {
        try await client.transaction { connection in
            guard try connection.recordInInbox(eventID: eventID, eventType: eventType) else { return false }
            switch change {
            case .registered(let credential):
                // The same user registered through another event id (a republished row) changes nothing.
                try connection.execute(
                    """
                    INSERT INTO credentials (\(Self.columns)) VALUES ($1, $2, $3, $4::text[], $5, $6)
                    ON CONFLICT (user_id) DO NOTHING
                    """,
                    [.uuid(credential.userID), .string(credential.email), .string(credential.passwordHash),
                     .textArray(credential.roles), .bool(credential.active), .int(credential.sourceVersion)])
            case .updated(let userID, let email, let roles, let active, let version):
                try Self.requireKnown(userID, connection)
                try connection.execute(
                    """
                    UPDATE credentials SET email = $2, roles = $3::text[], active = $4, source_version = $5
                    WHERE user_id = $1 AND source_version < $5
                    """,
                    [.uuid(userID), .string(email), .textArray(roles), .bool(active), .int(version)])
            case .deactivated(let userID, let version):
                try Self.requireKnown(userID, connection)
                try connection.execute(
                    "UPDATE credentials SET active = false, source_version = $2 WHERE user_id = $1 AND source_version < $2",
                    [.uuid(userID), .int(version)])
            }
            return true
        }
    }

    public func find(email: String) async throws -> Credential? {
        try await client.query("SELECT \(Self.columns) FROM credentials WHERE email = $1", [.string(email)]).first
            .map(Self.credential)
    }

    public func find(userID: UUID) async throws -> Credential? {
        try await client.query("SELECT \(Self.columns) FROM credentials WHERE user_id = $1", [.uuid(userID)]).first
            .map(Self.credential)
    }

    public func setPasswordHash(_ hash: String, userID: UUID) async throws {
        try await client.execute(
            "UPDATE credentials SET password_hash = $2, password_changed_at = now() WHERE user_id = $1",
            [.uuid(userID), .string(hash)])
    }

    private static func requireKnown(_ userID: UUID, _ connection: PostgresConnection) throws {
        guard try !connection.query("SELECT 1 FROM credentials WHERE user_id = $1 FOR UPDATE", [.uuid(userID)]).isEmpty else {
            throw CredentialChange.userNotYetKnown
        }
    }

    private static func credential(_ row: SQLRow) throws -> Credential {
        Credential(
            userID: try row.required("user_id", row.uuid), email: try row.required("email", row.string),
            passwordHash: try row.required("password_hash", row.string), roles: try row.required("roles", row.textArray),
            active: try row.required("active", row.bool), sourceVersion: Int64(try row.required("source_version", row.int)))
    }
}
