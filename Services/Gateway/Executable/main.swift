import GatewayService
import ServiceKit

await ServiceMain.run(gatewayDescriptor, build: buildGatewayService)
