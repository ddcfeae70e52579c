import CMariaDB
import DatabaseKit

/// Statements without parameters sent as plain text: transaction control, session settings and
/// trusted migration scripts. Nothing a caller supplies is ever spliced into these.
extension MariaDBConnection {
    /// Runs fixed SQL text and discards any results.
    func command(_ sql: String) throws {
        let connection = try liveHandle()
        try guarded { () throws(MariaDBFailure) in
            try send(sql, on: connection)
            try drainResults(of: connection)
        }
    }

    /// A real round trip (`COM_PING`); with reconnect disabled a dead server is an error.
    func ping() throws {
        let connection = try liveHandle()
        try guarded { () throws(MariaDBFailure) in
            guard mysql_ping(connection) == 0 else { throw MariaDBFailure(connection: connection) }
        }
    }

    /// Runs `body` between START TRANSACTION and COMMIT, rolling back when anything throws.
    /// MariaDB commits implicitly before and after DDL, so DDL inside `body` is not undone.
    func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try command("START TRANSACTION")
        do {
            let result = try body()
            try command("COMMIT")
            return result
        } catch {
            rollBackAfterFailure()
            throw error
        }
    }

    private func rollBackAfterFailure() {
        guard isUsable else { return }
        do {
            try command("ROLLBACK")
        } catch {
            // A session whose transaction state is unknown must not go back to the pool.
            markBroken()
        }
    }

    /// Sends a script of several `;`-separated statements in one go and lets the server split it.
    ///
    /// Multi-statement mode is switched on only for the duration of this call and only ever used
    /// with migration files shipped with the service (trusted text, no parameters): the risk it
    /// carries, stacking statements through spliced user input, cannot arise, and the server's
    /// own parser splits correctly where a client-side splitter would not (quotes, comments,
    /// `BEGIN … END` bodies of triggers and procedures). Prepared statements never allow it.
    func runScript(_ script: String) throws {
        let connection = try liveHandle()
        try guarded { () throws(MariaDBFailure) in
            guard mysql_set_server_option(connection, MYSQL_OPTION_MULTI_STATEMENTS_ON) == 0 else {
                throw MariaDBFailure(connection: connection)
            }
            defer { _ = mysql_set_server_option(connection, MYSQL_OPTION_MULTI_STATEMENTS_OFF) }
            do throws(MariaDBFailure) {
                try send(script, on: connection, context: "statement 1")
            } catch where error.errno == 1065 {
                return  // "Query was empty": the script holds only comments and blanks.
            }
            try drainResults(of: connection, numbered: true)
        }
    }

    private func send(_ sql: String, on connection: UnsafeMutablePointer<MYSQL>, context: String? = nil)
        throws(MariaDBFailure)
    {
        var text = sql
        let status = text.withUTF8 { mysql_real_query(connection, $0.baseAddress, UInt($0.count)) }
        guard status == 0 else { throw MariaDBFailure(connection: connection, context: context) }
    }

    /// Reads every result of the last text query, so the session is ready for the next one;
    /// `numbered` names the failing statement of a script in the error.
    private func drainResults(of connection: UnsafeMutablePointer<MYSQL>, numbered: Bool = false)
        throws(MariaDBFailure)
    {
        var index = 1
        while true {
            if let result = mysql_store_result(connection) {
                mysql_free_result(result)
            } else if mysql_field_count(connection) != 0 {
                throw MariaDBFailure(connection: connection, context: numbered ? "statement \(index)" : nil)
            }
            let status = mysql_next_result(connection)
            if status == -1 { return }
            index += 1
            guard status == 0 else {
                throw MariaDBFailure(connection: connection, context: numbered ? "statement \(index)" : nil)
            }
        }
    }
}
