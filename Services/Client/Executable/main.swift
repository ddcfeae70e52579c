import ClientService
import ServiceKit

await ServiceMain.run(ServiceManifest.client) { try await buildClientService($0) }
