import AnalyticsService
import ServiceKit

await ServiceMain.run(ServiceManifest.analytics, build: buildAnalyticsService)
