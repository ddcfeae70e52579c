import CMariaDB
import DatabaseKit
import FoundationEssentials
import Glibc

/// `mysql_library_init` is not thread-safe on its first call; a global initialises it once.
private let libraryReady: Bool = mysql_server_init(0, nil, nil) == 0

extension MariaDBConnection {
    /// Opens a session: utf8mb4, session time zone `+00:00`, no automatic reconnect (a silent
    /// reconnect would lose transactions and hide a dead server from `ping`), no LOCAL INFILE,
    /// TCP unless a socket is configured, short connect timeout.
    static func open(_ configuration: MariaDBConfiguration) throws(DatabaseError) -> UnsafeMutablePointer<MYSQL> {
        guard libraryReady, let mysql = mysql_init(nil) else {
            throw DatabaseError(.connectionFailed, "libmariadb could not be initialised")
        }
        var connectTimeout = UInt32(clamping: configuration.connectTimeout)
        var readTimeout = UInt32(clamping: configuration.readTimeout)
        var writeTimeout = UInt32(clamping: configuration.writeTimeout)
        var reconnect: my_bool = 0
        var localInfile: UInt32 = 0
        mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout)
        mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &readTimeout)
        mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &writeTimeout)
        mysql_options(mysql, MYSQL_OPT_RECONNECT, &reconnect)
        mysql_options(mysql, MYSQL_OPT_LOCAL_INFILE, &localInfile)
        "utf8mb4".withCString { _ = mysql_options(mysql, MYSQL_SET_CHARSET_NAME, $0) }
        "SET time_zone = '+00:00'".withCString { _ = mysql_options(mysql, MYSQL_INIT_COMMAND, $0) }
        // As on Postgres: a locking read takes no gap locks, so `FOR UPDATE SKIP LOCKED` claims of
        // several workers never deadlock on the rows between theirs.
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED".withCString {
            _ = mysql_options(mysql, MYSQL_INIT_COMMAND, $0)
        }
        if configuration.unixSocket == nil {
            var tcp = MYSQL_PROTOCOL_TCP.rawValue
            mysql_options(mysql, MYSQL_OPT_PROTOCOL, &tcp)
        }
        let connected = withOptionalCString(configuration.unixSocket) { socket in
            mysql_real_connect(
                mysql, configuration.host, configuration.user, configuration.password, configuration.database,
                UInt32(clamping: configuration.port), socket, UInt(CLIENT_FOUND_ROWS))
        }
        guard connected != nil else {
            let failure = MariaDBFailure(connection: mysql)
            mysql_close(mysql)
            let target = configuration.unixSocket ?? "\(configuration.host):\(configuration.port)"
            throw MariaDBError.make(
                errno: failure.errno, message: "cannot connect to MariaDB at \(target): \(failure.message)", connecting: true)
        }
        return mysql
    }

    /// Called at the start of every lease: an idle session whose socket is readable was closed by
    /// the server (restart, `KILL`, `wait_timeout`), so it is replaced before anything is sent,
    /// which makes the replacement safe for any statement.
    func prepareForLease() throws {
        guard let handle, !peerClosed(handle) else {
            try reconnect()
            return
        }
    }

    private func peerClosed(_ mysql: UnsafeMutablePointer<MYSQL>) -> Bool {
        let socket = mysql_get_socket(mysql)
        guard socket >= 0 else { return true }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }
}

private func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
