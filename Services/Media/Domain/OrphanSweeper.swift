import Foundation
import Logging
import ObjectStore
import ServiceLifecycle

/// Removes, every `interval`, stored objects no image row points at once they are older than
/// `age` (an upload that crashed between storing and recording, a delete that lost its object
/// call): nothing stays orphaned either way.
public struct OrphanSweeper: Service {
    let objects: any ObjectStore
    let store: any ImageStore
    let interval: Duration
    let age: Duration
    let logger: Logger

    public init(objects: any ObjectStore, store: any ImageStore, interval: Duration, age: Duration, logger: Logger) {
        self.objects = objects
        self.store = store
        self.interval = interval
        self.age = age
        self.logger = logger
    }

    public func run() async throws {
        // A graceful shutdown cancels the loop, its sleep included.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let removed = try await sweep(now: Date())
                    if removed > 0 { logger.info("orphaned objects removed", metadata: ["count": "\(removed)"]) }
                } catch {
                    logger.warning("orphan sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
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
