import FoundationEssentials
import ObjectStore

/// Removes stored objects no image row points at once they are older than `age` (an upload
/// that crashed between storing and recording, a delete that lost its object call): nothing
/// stays orphaned either way. The service runs a pass periodically.
public struct OrphanSweeper: Sendable {
    let objects: any ObjectStore
    let store: any ImageStore
    let age: Duration

    public init(objects: any ObjectStore, store: any ImageStore, age: Duration) {
        self.objects = objects
        self.store = store
        self.age = age
    }

    /// One pass; returns how many objects it removed.
    public func sweep(now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(age.components.seconds))
        let old = try await objects.list(prefix: "images/").filter { $0.modifiedAt < cutoff }.map(\.key)
        var removed = 0
        for batch in stride(from: 0, to: old.count, by: 500).map({ Array(old[$0..<min($0 + 500, old.count)]) }) {
            for key in try await store.unreferenced(batch) {
                try await objects.delete(key: key)
                removed += 1
            }
        }
        return removed
    }
}
