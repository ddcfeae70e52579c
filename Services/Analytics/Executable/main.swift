import AnalyticsService
import ServiceKit

await ServiceMain.run(analyticsDescriptor, build: buildAnalyticsService)
