import CMariaDB
import DatabaseKit

/// A failure reported by libmariadb, before it is mapped onto `DatabaseError` by the connection
/// (which also decides whether the connection survives it).
struct MariaDBFailure: Error {
    /// The server or client error number; 0 for a misuse detected before anything was sent.
    let errno: UInt32
    let message: String

    init(errno: UInt32, message: String) {
        self.errno = errno
        self.message = message
    }

    init(connection: UnsafeMutablePointer<MYSQL>, context: String? = nil) {
        self.init(errno: mysql_errno(connection), message: Self.prefixed(context, String(cString: mysql_error(connection))))
    }

    init(statement: UnsafeMutablePointer<MYSQL_STMT>) {
        self.init(errno: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)))
    }

    static func misuse(_ message: String) -> MariaDBFailure {
        MariaDBFailure(errno: 0, message: message)
    }

    var databaseError: DatabaseError {
        errno == 0 ? DatabaseError(.queryFailed, message) : MariaDBError.make(errno: errno, message: message)
    }

    private static func prefixed(_ context: String?, _ message: String) -> String {
        context.map { "\($0): \(message)" } ?? message
    }
}
