import EventService
import ServiceKit

await ServiceMain.run(eventDescriptor, build: buildEventService)
