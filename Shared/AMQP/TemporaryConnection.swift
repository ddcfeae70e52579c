import BlockingIO

extension AMQPConnectionHandle {
    /// Opens a connection on a thread of its own, runs `body` there and closes it again:
    /// for one-off work such as declaring the topology at start-up.
    static func withTemporary<T: Sendable>(
        _ configuration: AMQPConfiguration,
        role: String,
        _ body: @escaping @Sendable (AMQPConnectionHandle) throws -> T
    ) async throws -> T {
        let pool = BlockingThreadPool(name: "amqp-\(role)", threads: 1)
        defer { pool.shutdown() }
        return try await pool.run {
            let handle = try AMQPConnectionHandle.open(configuration, role: role)
            defer { handle.close() }
            return try body(handle)
        }
    }
}
