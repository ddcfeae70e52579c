import AnalyticsService
import ServiceKit

await ServiceMain.run(ServiceManifest.analytics) { try await buildAnalyticsService($0) }
