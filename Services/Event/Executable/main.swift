import EventService
import ServiceKit

await ServiceMain.run(ServiceManifest.event) { try await buildEventService($0) }
