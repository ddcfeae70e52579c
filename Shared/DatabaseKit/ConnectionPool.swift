import BlockingIO
import Instrumentation
import PlatformTracing
import Synchronization

/// A connection of a blocking C client, owned by a `ConnectionPool`.
///
/// The pool hands a connection to one thread at a time, which is what makes the
/// `@unchecked Sendable` conformances of the implementations sound.
public protocol PooledConnection: AnyObject, Sendable {
    /// False once the connection broke; the pool then closes it instead of reusing it.
    var isUsable: Bool { get }
    func close()
}

public struct ConnectionPoolConfiguration: Sendable {
    /// Used to name the pool's threads and in errors.
    public var name: String
    /// Upper bound of open connections, and of threads doing blocking calls for this pool.
    public var maxConnections: Int
    /// How long a caller waits for a free connection before `DatabaseError.Kind.poolTimeout`.
    public var acquireTimeout: Duration

    public init(name: String, maxConnections: Int = 4, acquireTimeout: Duration = .seconds(10)) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.name = name
        self.maxConnections = maxConnections
        self.acquireTimeout = acquireTimeout
    }
}

/// A bounded pool of blocking connections with their own threads.
///
/// `withConnection` leases a connection (opening one lazily, up to the bound), runs the
/// body on one of the pool's threads, and returns the connection, or discards it when it
/// broke, so the next lease reconnects: a restarted server is picked up without a restart.
public final class ConnectionPool<Connection: PooledConnection>: Sendable {
    private struct State {
        var idle: [Connection] = []
        var freePermits: Int
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        var isClosed = false
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Void, any Error>
        /// Fails the wait after `acquireTimeout`; cancelled as soon as a permit is granted.
        var timer: Task<Void, Never>?
    }

    public let configuration: ConnectionPoolConfiguration
    private let connect: @Sendable () throws -> Connection
    private let threads: BlockingThreadPool
    private let state: Mutex<State>

    public init(configuration: ConnectionPoolConfiguration, connect: @escaping @Sendable () throws -> Connection) {
        self.configuration = configuration
        self.connect = connect
        self.threads = BlockingThreadPool(name: configuration.name, threads: configuration.maxConnections)
        self.state = Mutex(State(freePermits: configuration.maxConnections))
    }

    /// Runs `body` with a leased connection on one of the pool's threads. When tracing is on, the
    /// caller's trace context is bound there too (a task-local does not cross to another thread),
    /// so an event written to the outbox carries it.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await acquirePermit()
        defer { releasePermit() }
        let trace = PlatformTracing.isEnabled ? ServiceContext.current : nil
        return try await threads.run { [self] in
            let connection = try self.takeIdle() ?? self.connect()
            defer { self.giveBack(connection) }
            guard let trace else { return try body(connection) }
            return try ServiceContext.$current.withValue(trace) { try body(connection) }
        }
    }

    /// Closes idle connections and refuses new leases; leased connections close when returned.
    public func shutdown() async {
        let (idle, waiters) = state.withLock { state in
            state.isClosed = true
            defer { state.idle = []; state.waiters = [] }
            return (state.idle, state.waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: DatabaseError(.poolClosed, "pool '\(configuration.name)' is shut down"))
        }
        _ = try? await threads.run { idle.forEach { $0.close() } }
        threads.shutdown()
    }

    private func takeIdle() throws -> Connection? {
        try state.withLock { state in
            if state.isClosed { throw DatabaseError(.poolClosed, "pool '\(configuration.name)' is shut down") }
            return state.idle.popLast()
        }
    }

    private func giveBack(_ connection: Connection) {
        let keep = connection.isUsable && state.withLock { state in
            guard !state.isClosed else { return false }
            state.idle.append(connection)
            return true
        }
        if !keep { connection.close() }
    }

    private func acquirePermit() async throws {
        let timeout = configuration.acquireTimeout
        let name = configuration.name
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = state.withLock { state -> PermitOutcome in
                if state.isClosed { return .closed }
                if state.freePermits > 0 {
                    state.freePermits -= 1
                    return .granted
                }
                let id = state.nextWaiterID
                state.nextWaiterID += 1
                state.waiters.append(Waiter(id: id, continuation: continuation))
                return .waiting(id)
            }
            switch outcome {
            case .granted:
                continuation.resume()
            case .closed:
                continuation.resume(throwing: DatabaseError(.poolClosed, "pool '\(name)' is shut down"))
            case .waiting(let id):
                let timer = Task { [self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    let expired = self.state.withLock { state -> CheckedContinuation<Void, any Error>? in
                        guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                        return state.waiters.remove(at: index).continuation
                    }
                    expired?.resume(
                        throwing: DatabaseError(.poolTimeout, "no free connection in pool '\(name)' after \(timeout)"))
                }
                let stillWaiting = state.withLock { state -> Bool in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return false }
                    state.waiters[index].timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        }
    }

    private enum PermitOutcome { case granted, closed, waiting(Int) }

    private func releasePermit() {
        let next = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.freePermits += 1
            return nil
        }
        next?.timer?.cancel()
        next?.continuation.resume()
    }
}
