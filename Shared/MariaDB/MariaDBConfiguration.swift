import FoundationEssentials

/// Where and how to connect: `mariadb://user:password@host:port/database?option=value`.
///
/// User, password and database are percent-decoded. Options: `connect_timeout`, `read_timeout`,
/// `write_timeout` (seconds), `pool_size`, `acquire_timeout` (seconds) and `socket` (a Unix socket
/// path, used instead of TCP). Without `socket` the client always uses TCP, even for `localhost`
/// (libmariadb would otherwise silently switch to its default socket path).
public struct MariaDBConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var database: String
    public var unixSocket: String?
    /// Seconds to wait for the TCP connection and handshake.
    public var connectTimeout: Int
    /// Seconds one read may block; must exceed the 30 s migration lock wait.
    public var readTimeout: Int
    public var writeTimeout: Int
    /// Open connections at most, and threads doing blocking calls.
    public var poolSize: Int
    public var acquireTimeout: Duration
    /// Names the pool's threads.
    public var poolName: String

    public init(
        host: String = "127.0.0.1", port: Int = 3306, user: String, password: String, database: String,
        unixSocket: String? = nil, connectTimeout: Int = 3, readTimeout: Int = 60, writeTimeout: Int = 60,
        poolSize: Int = 4, acquireTimeout: Duration = .seconds(10), poolName: String = "mariadb"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.unixSocket = unixSocket
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
        self.poolSize = poolSize
        self.acquireTimeout = acquireTimeout
        self.poolName = poolName
    }

    public init(url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "mariadb" || scheme == "mysql"
        else {
            throw MariaDBConfigurationError("the URL must look like mariadb://user:password@host:port/database")
        }
        guard let user = components.percentEncodedUser?.percentDecoded, !user.isEmpty else {
            throw MariaDBConfigurationError("the URL names no user")
        }
        let path = components.percentEncodedPath.drop { $0 == "/" }
        guard let database = String(path).percentDecoded, !database.isEmpty, !database.contains("/") else {
            throw MariaDBConfigurationError("the URL names no database (mariadb://user:password@host:port/database)")
        }
        self.init(
            host: components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: components.port ?? 3306,
            user: user,
            password: components.percentEncodedPassword?.percentDecoded ?? "",
            database: database)
        for item in components.queryItems ?? [] {
            try apply(option: item.name, value: item.value ?? "")
        }
    }

    private mutating func apply(option: String, value: String) throws {
        func positive() throws -> Int {
            guard let number = Int(value), number > 0 else {
                throw MariaDBConfigurationError("option '\(option)' needs a positive whole number")
            }
            return number
        }
        switch option {
        case "connect_timeout": connectTimeout = try positive()
        case "read_timeout": readTimeout = try positive()
        case "write_timeout": writeTimeout = try positive()
        case "acquire_timeout": acquireTimeout = .seconds(try positive())
        case "pool_size": poolSize = try positive()
        case "socket": unixSocket = value.isEmpty ? nil : value
        default: throw MariaDBConfigurationError("unknown option '\(option)' in the MariaDB URL")
        }
    }

    /// Never prints the password.
    public var description: String {
        let target = unixSocket.map { "socket \($0)" } ?? "\(host):\(port)"
        return "mariadb://\(user)@\(target)/\(database) (pool \(poolSize))"
    }
}

public struct MariaDBConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
