import DatabaseKit
import Foundation
import Testing

@Suite("Migration.load")
struct MigrationLoadTests {
    /// Writes `files` into a new temporary folder, runs `body` with it, removes it again.
    func withFolder<T>(_ files: [String: String], _ body: (URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, contents) in files {
            try contents.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try body(folder)
    }

    @Test func readsFilesOrderedByVersion() throws {
        let migrations = try withFolder([
            "0010_add_orders.sql": "CREATE TABLE orders ();",
            "0002_add_users.sql": "CREATE TABLE users ();",
            "0001_init.sql": "SELECT 'é';\n",
            "README.md": "not a migration",
            "0003_notes.sql.bak": "ignored too",
        ]) { try Migration.load(from: $0) }
        #expect(migrations.map(\.version) == [1, 2, 10])
        #expect(migrations.map(\.name) == ["init", "add_users", "add_orders"])
        #expect(migrations.first?.sql == "SELECT 'é';\n")
        #expect(migrations.last == Migration(version: 10, name: "add_orders", sql: "CREATE TABLE orders ();"))
    }

    @Test func anEmptyFolderHasNoMigrations() throws {
        #expect(try withFolder([:]) { try Migration.load(from: $0) }.isEmpty)
    }

    @Test(arguments: ["init.sql", "abc_init.sql", "0000_zero.sql", "0001.sql", "-1_negative.sql", "_x.sql", "1-init.sql"])
    func refusesBadNames(file: String) throws {
        let error = try withFolder(["0001_ok.sql": "SELECT 1;", file: "SELECT 2;"]) { folder in
            #expect(throws: MigrationError.self) { try Migration.load(from: folder) }
        }
        #expect(error?.description.contains(file) == true)
    }

    @Test func refusesDuplicateVersions() throws {
        let error = try withFolder(["0001_a.sql": "SELECT 1;", "01_b.sql": "SELECT 2;"]) { folder in
            #expect(throws: MigrationError.self) { try Migration.load(from: folder) }
        }
        #expect(error?.description.contains("version 1") == true)
    }

    @Test func aMissingFolderThrows() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)")
        #expect(throws: (any Error).self) { try Migration.load(from: folder) }
    }
}
