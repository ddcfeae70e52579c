import AuthService
import ServiceKit

await ServiceMain.run(ServiceManifest.auth) { try await buildAuthService($0) }
