import Foundation
import Synchronization

/// A clock tests move by hand.
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    public var now: Date { current.withLock { $0 } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Counts calls of a callback.
public final class CallCounter: Sendable {
    private let calls = Mutex(0)

    public init() {}

    public var count: Int { calls.withLock { $0 } }

    public func increment() { calls.withLock { $0 += 1 } }
}

/// A value shared between tasks and closures.
public final class Locked<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    public init(_ value: Value) { storage = Mutex(value) }

    public var value: Value { storage.withLock { $0 } }

    public func update<T>(_ change: (inout Value) -> T) -> T { storage.withLock { change(&$0) } }
}
