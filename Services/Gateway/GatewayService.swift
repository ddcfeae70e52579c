import Foundation
import ServiceKit

/// The only public entry: REST/JSON, web UI and OpenAPI on port 5000; REST → gRPC, no business logic.
public let gatewayDescriptor = ServiceDescriptor(
    name: "gateway", environmentPrefix: "GATEWAY", defaultHTTPPort: 5000, defaultGRPCPort: 50050, usesBroker: true)

/// Connects the service to its dependencies and returns it ready to run; tests call it too.
public func buildGatewayService(_ settings: ServiceSettings) async throws -> ServiceRuntime {
    try ServiceRuntime(settings: settings)
}
