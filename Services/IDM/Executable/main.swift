import IDMService
import ServiceKit

await ServiceMain.run(ServiceManifest.idm) { try await buildIDMService($0) }
