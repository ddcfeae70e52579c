import ClientService
import ServiceKit

await ServiceMain.run(ServiceManifest.client, build: buildClientService)
