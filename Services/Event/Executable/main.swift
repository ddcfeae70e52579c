import EventService
import ServiceKit

await ServiceMain.run(ServiceManifest.event, build: buildEventService)
