import Synchronization

/// Holds every caller of `pass()` until `open()`, counting them: a test makes attempts be in
/// flight together this way, instead of hoping a quiet machine interleaves them.
public final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiting: [CheckedContinuation<Void, Never>] = []
        var arrived = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// How many callers reached `pass()` so far.
    public var arrived: Int { state.withLock { $0.arrived } }

    public func pass() async {
        await withCheckedContinuation { continuation in
            let passNow = state.withLock { state -> Bool in
                state.arrived += 1
                guard !state.isOpen else { return true }
                state.waiting.append(continuation)
                return false
            }
            if passNow { continuation.resume() }
        }
    }

    public func open() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}

/// Waits until `condition` holds (checked every millisecond), or fails after `timeout`.
public func waitUntil(
    timeout: Duration = .seconds(10), _ what: String = "condition", _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(1))
    }
}
