import Foundation
import PackagePlugin

/// Compiles a service's `Migrations/NNNN_name.sql` files into its module as `ServiceMigrations.files`,
/// so a service carries its schema in its executable: no resource bundle to ship next to it, and
/// no Foundation `Bundle` to find one.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let folder = target.directoryURL.appending(path: "Migrations")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path())) ?? []
        let inputs = files.filter { $0.hasSuffix(".sql") }.sorted().map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "ServiceMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) migrations into \(target.name)",
                executable: try context.tool(named: "embed-migrations").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
