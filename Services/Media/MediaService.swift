import Foundation
import ServiceKit
import ServicePostgres

/// Images and avatars: streamed upload, listing, signed URLs, content, deletion.
public func buildMediaService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachPostgres(migrations: .module, eventTables: .init(outbox: false, inbox: true))
    return runtime
}
