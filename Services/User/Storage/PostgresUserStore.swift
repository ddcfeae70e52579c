import DatabaseKit
import EventKit
import FoundationEssentials
import PlatformCore
import Postgres

/// `UserStore` on the service's Postgres database (`users` table plus the outbox).
public struct PostgresUserStore: UserStore {
    private let client: PostgresClient
    private static let columns = "id, email, username, name, roles, active, created_at, updated_at, version"

    public init(client: PostgresClient) { self.client = client }

    public func insert(_ user: UserRecord, event: DomainEvent) async throws {
        try await Self.namingTakenFields {
            try await client.transaction { connection in
                try connection.execute(
                    "INSERT INTO users (\(Self.columns)) VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9)",
                    [.uuid(user.id), .string(user.email), SQLValue(user.username), .string(user.name), .textArray(user.roles),
                     .bool(user.active), .date(user.createdAt), .date(user.updatedAt), .int(user.version)])
                try connection.appendToOutbox(event)
            }
        }
    }

    public func find(id: UUID) async throws -> UserRecord? {
        try await client.query("SELECT \(Self.columns) FROM users WHERE id = $1", [.uuid(id)]).first.map(Self.user)
    }

    public func find(email: String) async throws -> UserRecord? {
        try await client.query("SELECT \(Self.columns) FROM users WHERE email = $1", [.string(email)]).first.map(Self.user)
    }

    public func find(username: String) async throws -> UserRecord? {
        try await client.query("SELECT \(Self.columns) FROM users WHERE username = $1", [.string(username)]).first.map(Self.user)
    }

    public func modify(
        id: UUID, countingAdmins: Bool,
        _ change: @escaping @Sendable (inout UserRecord, _ otherActiveAdmins: Int?) throws -> [DomainEvent]
    ) async throws -> UserRecord? {
        try await Self.namingTakenFields { try await modifyRow(id: id, countingAdmins: countingAdmins, change) }
    }

    private func modifyRow(
        id: UUID, countingAdmins: Bool,
        _ change: @escaping @Sendable (inout UserRecord, _ otherActiveAdmins: Int?) throws -> [DomainEvent]
    ) async throws -> UserRecord? {
        try await client.transaction { connection in
            var otherAdmins: Int?
            if countingAdmins {
                // Taken before any row lock, so changes that count admins queue here in one order.
                try connection.execute("SELECT pg_advisory_xact_lock(hashtext('users.admins'))")
            }
            guard let row = try connection.query("SELECT \(Self.columns) FROM users WHERE id = $1 FOR UPDATE", [.uuid(id)]).first
            else { return nil }
            if countingAdmins {
                let count = try connection.query(
                    "SELECT count(*) AS admins FROM users WHERE active AND 'admin' = ANY(roles) AND id <> $1", [.uuid(id)])
                otherAdmins = try count.first.map { try $0.required("admins", $0.int) }
            }
            var user = try Self.user(row)
            let events = try change(&user, otherAdmins)
            guard !events.isEmpty else { return user }
            try connection.execute(
                """
                UPDATE users SET username = $2, name = $3, roles = $4::text[], active = $5, updated_at = $6, version = $7
                WHERE id = $1
                """,
                [.uuid(id), SQLValue(user.username), .string(user.name), .textArray(user.roles), .bool(user.active),
                 .date(user.updatedAt), .int(user.version)])
            for event in events { try connection.appendToOutbox(event) }
            return user
        }
    }

    public func list(_ query: UserQuery) async throws -> Page<UserRecord> {
        let pattern = query.email.map { SQLValue.containing(EmailAddress.normalized($0)) } ?? .null
        let rows = try await client.query(
            """
            SELECT \(Self.columns), count(*) OVER () AS total FROM users
            WHERE ($1::text IS NULL OR email LIKE $1 ESCAPE '\\')
              AND ($2::text IS NULL OR $2 = ANY(roles))
              AND ($3::boolean IS NULL OR active = $3)
            ORDER BY created_at, id LIMIT $4 OFFSET $5
            """,
            [pattern, SQLValue(query.role), SQLValue(query.active), .int(Int64(query.paging.size)),
             .int(Int64(query.paging.offset))])
        var total = try rows.first.map { try $0.required("total", $0.int) } ?? 0
        if rows.isEmpty && query.paging.page > 1 {
            // Past the last page: count separately so the client still learns the total.
            var first = query
            first.paging = try PageRequest(page: 1, size: 1)
            total = try await list(first).total
        }
        return Page(items: try rows.map(Self.user), request: query.paging, total: total)
    }

    /// The unique indexes' names say which field was taken (the registry's early checks lose races).
    private static func namingTakenFields<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError where error.kind == .uniqueViolation {
            switch error.constraint {
            case "users_email": throw UserRegistry.emailTaken
            case "users_username": throw UserRegistry.usernameTaken
            default: throw error
            }
        }
    }

    private static func user(_ row: SQLRow) throws -> UserRecord {
        UserRecord(
            id: try row.required("id", row.uuid), email: try row.required("email", row.string), username: try row.string("username"),
            name: try row.required("name", row.string), roles: try row.required("roles", row.textArray),
            active: try row.required("active", row.bool), createdAt: try row.required("created_at", row.date),
            updatedAt: try row.required("updated_at", row.date), version: Int64(try row.required("version", row.int)))
    }
}
