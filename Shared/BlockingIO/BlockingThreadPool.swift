/// A fixed set of dedicated threads for blocking work (C client calls, bcrypt).
///
/// Swift concurrency's cooperative pool and NIO's event loops must never block, so every
/// call into libpq, libmariadb, libmongoc or librabbitmq goes through one of these pools.
public final class BlockingThreadPool: Sendable {
    public struct ShutdownError: Error, CustomStringConvertible {
        public let poolName: String
        public var description: String { "blocking thread pool '\(poolName)' is shut down" }
    }

    private typealias Job = @Sendable () -> Void

    private struct State {
        var jobs: [Job] = []
        var head = 0
        var isShutdown = false
    }

    public let name: String
    private let state = ConditionLock(State())

    public init(name: String, threads: Int) {
        precondition(threads > 0, "a blocking thread pool needs at least one thread")
        self.name = name
        for index in 0..<threads {
            startThread(named: "\(name)-\(index)") { [self] in self.workLoop() }
        }
    }

    /// Runs `work` on one of the pool's threads and resumes the caller with its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = enqueue {
                continuation.resume(with: Result { try work() })
            }
            if !accepted {
                continuation.resume(throwing: ShutdownError(poolName: name))
            }
        }
    }

    /// Lets the threads finish the queued work and exit.
    public func shutdown() {
        state.withLock { $0.isShutdown = true }
        state.broadcast()
    }

    private func enqueue(_ job: @escaping Job) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.isShutdown else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { state.signal() }
        return accepted
    }

    /// Takes the next job, or nil once the pool is shut down and drained.
    private func workLoop() {
        while let job = state.wait(until: { state -> Job?? in
            if state.head < state.jobs.count {
                let job = state.jobs[state.head]
                state.head += 1
                if state.head > 64 && state.head * 2 > state.jobs.count {
                    state.jobs.removeFirst(state.head)
                    state.head = 0
                }
                return .some(job)
            }
            return state.isShutdown ? .some(nil) : nil
        }) {
            job()
        }
    }
}
