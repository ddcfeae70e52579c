import Synchronization

/// Metric handles made once per key and kept: swift-metrics' `Counter(label:dimensions:)` asks
/// the factory (a registry lock and a label check) every time, which is too dear per request.
public final class MetricHandles<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])

    public init() {}

    /// The handle for `key`, made by `make` the first time.
    public func handle(_ key: Key, make: () -> Handle) -> Handle {
        handles.withLock { handles in
            if let handle = handles[key] { return handle }
            let handle = make()
            handles[key] = handle
            return handle
        }
    }
}
