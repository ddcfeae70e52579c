import Foundation
import ServiceKit
import ServiceStores

/// Images and avatars: streamed upload, listing, signed URLs, content, deletion.
public let mediaDescriptor = ServiceDescriptor(
    name: "media", environmentPrefix: "MEDIA", defaultHTTPPort: 9104, defaultGRPCPort: 50054, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildMediaService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachPostgres(
        database: "media", migrations: .module, eventTables: .init(outbox: false, inbox: true))
    return runtime
}
