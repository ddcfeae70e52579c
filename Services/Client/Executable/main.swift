import ClientService
import ServiceKit

await ServiceMain.run(clientDescriptor, build: buildClientService)
