import UserService
import ServiceKit

await ServiceMain.run(ServiceManifest.user) { try await buildUserService($0) }
