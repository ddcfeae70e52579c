import MediaService
import ServiceKit

await ServiceMain.run(ServiceManifest.media, build: buildMediaService)
