import Foundation
import Synchronization

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
    private let state = Mutex(State())
    private let condition = NSCondition()

    public init(name: String, threads: Int) {
        precondition(threads > 0, "a blocking thread pool needs at least one thread")
        self.name = name
        for index in 0..<threads {
            let thread = Thread { [self] in self.workLoop() }
            thread.name = "\(name)-\(index)"
            thread.start()
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
        condition.lock()
        state.withLock { $0.isShutdown = true }
        condition.broadcast()
        condition.unlock()
    }

    private func enqueue(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let accepted = state.withLock { state -> Bool in
            guard !state.isShutdown else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { condition.signal() }
        return accepted
    }

    private func workLoop() {
        while true {
            condition.lock()
            var job: Job?
            while true {
                let (next, finished) = state.withLock { state -> (Job?, Bool) in
                    if state.head < state.jobs.count {
                        let job = state.jobs[state.head]
                        state.head += 1
                        if state.head > 64 && state.head * 2 > state.jobs.count {
                            state.jobs.removeFirst(state.head)
                            state.head = 0
                        }
                        return (job, false)
                    }
                    return (nil, state.isShutdown)
                }
                if let next { job = next; break }
                if finished { condition.unlock(); return }
                condition.wait()
            }
            condition.unlock()
            job?()
        }
    }
}
