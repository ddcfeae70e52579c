import DatabaseKit

/// Maps MariaDB server and client error numbers onto `DatabaseError`.
enum MariaDBError {
    /// Server gone (2006), lost during a query (2013, 2055), session killed (1927), server shutting down (1053).
    static let lostConnectionCodes: Set<UInt32> = [2006, 2013, 2055, 1927, 1053]

    /// Builds the error for `errno`/`message`; `connecting` marks failures while opening a connection.
    static func make(errno: UInt32, message: String, connecting: Bool = false) -> DatabaseError {
        let code = String(errno)
        if connecting {
            return DatabaseError(.connectionFailed, message, code: code)
        }
        switch errno {
        case 1062, 1586:
            return DatabaseError(.uniqueViolation, duplicateKeyMessage(message), code: code)
        case 1451, 1452, 1048, 3819, 4025:
            return DatabaseError(.constraintViolation, redactValues(message), code: code)
        case _ where lostConnectionCodes.contains(errno):
            return DatabaseError(.connectionLost, message, code: code)
        default:
            return DatabaseError(.queryFailed, redactValues(message), code: code)
        }
    }

    /// Client errors about one statement's use of the API (parameters, binding, fetching, changed
    /// result metadata), after which the session itself is still in step.
    static let statementClientCodes: Set<UInt32> = [2030, 2031, 2032, 2033, 2034, 2035, 2036, 2050, 2051, 2052, 2053, 2057]

    /// True when the session is gone or its protocol state is unknown, so the connection must not be reused.
    static func breaksConnection(_ errno: UInt32) -> Bool {
        lostConnectionCodes.contains(errno) || ((2000..<3000).contains(errno) && !statementClientCodes.contains(errno))
    }

    /// "Duplicate entry 'alice@example.com' for key 'email'" names the value; keep only the key.
    static func duplicateKeyMessage(_ message: String) -> String {
        guard let range = message.ranges(of: " for key ").last else {
            return "duplicate entry"
        }
        return "duplicate entry for key " + String(message[range.upperBound...])
    }

    /// Server messages such as "Incorrect integer value: 'abc' for column ..." quote the offending
    /// value; parameter values never belong in an error, so the quoted value is replaced.
    static func redactValues(_ message: String) -> String {
        guard let start = message.firstRange(of: "value: '") else { return message }
        let rest = message[start.upperBound...]
        if let end = rest.ranges(of: "' for ").last {
            return String(message[..<start.upperBound]) + "…" + String(message[end.lowerBound...])
        }
        return String(message[..<start.upperBound]) + "…'"
    }
}
