import DatabaseKit
import FoundationEssentials

extension ServiceRuntime {
    /// Applies `shared` (the event tables, `EventTables.migrations`) and the service's own migration
    /// files, retrying while the server comes up.
    public func migrate(_ store: some MigrationStore, files: [MigrationFile], shared: [Migration]) async throws {
        let migrations = try Migration.ordered(shared + Migration.load(files))
        let applied = try await retryDuringStartup("migrations", timeout: settings.startupTimeout, logger: logger) {
            try await Migrator.migrate(migrations, on: store)
        }
        logger.info("migrations checked", metadata: ["known": "\(migrations.count)", "applied_now": "\(applied)"])
    }

    /// The database of the service's descriptor, or a clear error when it names another engine.
    public func ownDatabase(engine: String) throws -> String {
        guard let store = settings.descriptor.store, store.engine == engine else {
            throw MissingDependencyError(service: settings.name, dependency: "a \(engine) store (ServiceManifest)")
        }
        return store.database
    }
}

/// A service asked for something its descriptor does not give it (a store, the broker).
public struct MissingDependencyError: Error, CustomStringConvertible {
    public let service: String
    public let dependency: String
    public init(service: String, dependency: String) {
        self.service = service
        self.dependency = dependency
    }
    public var description: String { "the \(service) service is not configured with \(dependency)" }
}
