/// The one error type of the three database clients (Postgres, MariaDB, Mongo).
///
/// Callers branch on `kind`: a unique violation is a domain conflict (409), a connection
/// problem means the store is unavailable (503), anything else is a bug or bad SQL.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// A unique constraint or unique index refused a duplicate (Postgres 23505, MariaDB 1062, Mongo 11000).
        case uniqueViolation
        /// A foreign key, check or not-null constraint refused the row.
        case constraintViolation
        /// No connection could be opened (server down, wrong credentials, unknown database).
        case connectionFailed
        /// An open connection broke during a call; the pool discards it and reconnects.
        case connectionLost
        /// Waiting for a free pooled connection took too long.
        case poolTimeout
        /// The pool has been shut down.
        case poolClosed
        /// The statement itself failed (syntax, types, serialization failure, ...).
        case queryFailed
        /// A value in a result could not be decoded as the requested type.
        case decodingFailed
    }

    public let kind: Kind
    /// The server's own message; may contain SQL, never parameter values.
    public let message: String
    /// SQLSTATE for Postgres, error number for MariaDB, error code for Mongo.
    public let code: String?
    /// The constraint or index that refused the row, when the server names it (Postgres does).
    public let constraint: String?

    public init(_ kind: Kind, _ message: String, code: String? = nil, constraint: String? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
        self.constraint = constraint
    }

    /// True when the store, not the statement, is at fault and the call may succeed later.
    public var isConnectionProblem: Bool {
        kind == .connectionFailed || kind == .connectionLost || kind == .poolTimeout
    }

    public var description: String {
        "DatabaseError.\(kind.rawValue)\(code.map { " [\($0)]" } ?? ""): \(message)"
    }
}
