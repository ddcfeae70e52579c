import Synchronization

/// A handler's outcome for one delivery, to settle on the connection the delivery came on.
struct Settlement: Sendable {
    let tag: UInt64
    let outcome: ConsumeOutcome
    /// Which connection of the consumer it came on: a tag means nothing on a later connection
    /// (the broker redelivers what an earlier one left unsettled).
    let connection: Int
}

/// Outcomes of handlers that finished, waiting for the connection's thread to settle them.
final class FinishedDeliveries: Sendable {
    private struct State {
        var finished: [Settlement] = []
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func add(_ settlement: Settlement) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished.append(settlement)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func take() -> [Settlement] {
        state.withLock { state in
            defer { state.finished = [] }
            return state.finished
        }
    }

    /// Returns once an outcome is waiting (at once if one is). Only the consumer's loop waits.
    func awaitAny() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                guard state.finished.isEmpty else { return true }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
