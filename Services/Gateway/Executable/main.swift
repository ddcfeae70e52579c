import GatewayService
import ServiceKit

await ServiceMain.run(ServiceManifest.gateway) { try await buildGatewayService($0) }
