import Foundation
import ServiceKit
import ServiceStores

/// Sessions and tokens: login, validation, logout, refresh, terminal login; signs JWTs.
public let idmDescriptor = ServiceDescriptor(
    name: "idm", environmentPrefix: "IDM", defaultHTTPPort: 9101, defaultGRPCPort: 50051, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildIDMService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    var runtime = try ServiceRuntime(settings: settings)
    _ = try await runtime.attachPostgres(
        database: "idm", migrations: .module, eventTables: .init(outbox: false, inbox: true))
    return runtime
}
