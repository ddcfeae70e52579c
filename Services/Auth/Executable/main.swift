import AuthService
import ServiceKit

await ServiceMain.run(authDescriptor, build: buildAuthService)
