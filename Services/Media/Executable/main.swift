import MediaService
import ServiceKit

await ServiceMain.run(mediaDescriptor, build: buildMediaService)
