import DatabaseKit
import EventKit
import Foundation

/// The schema a service creates, for store tests: the shared event tables (from `EventTables`,
/// exactly what the service applies) and the service's own migration files.
public enum ServiceSchemas {
    /// The repository's root, from this file's place in it.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// - Parameter folder: the service's folder under `Services/`, e.g. `IDM`.
    public static func migrations(
        of folder: String, eventTables: EventTables, dialect: EventTables.Dialect = .postgres
    ) throws -> [Migration] {
        let own = try Migration.load(from: repositoryRoot.appendingPathComponent("Services/\(folder)/Migrations"))
        return eventTables.migrations(dialect) + own
    }
}
