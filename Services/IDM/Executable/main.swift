import IDMService
import ServiceKit

await ServiceMain.run(idmDescriptor, build: buildIDMService)
