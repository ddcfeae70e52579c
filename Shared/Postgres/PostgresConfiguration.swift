import DatabaseKit
import FoundationEssentials

public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI, e.g. `postgresql://idm:secret@127.0.0.1:5432/idm`.
    public var url: String
    public var connectTimeoutSeconds: Int
    public var applicationName: String
    public var pool: ConnectionPoolConfiguration
    /// The database the URL names (spans name it).
    public var database: String

    public init(url: String, applicationName: String = "platform", maxConnections: Int = 4, connectTimeoutSeconds: Int = 3)
        throws
    {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            components.path.count > 1
        else {
            throw DatabaseError(.connectionFailed, "a Postgres URL looks like postgresql://user:password@host:port/database")
        }
        self.url = url
        database = String(components.path.dropFirst())
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.pool = ConnectionPoolConfiguration(name: "pg-\(applicationName)", maxConnections: maxConnections)
    }
}
