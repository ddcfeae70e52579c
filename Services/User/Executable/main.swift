import UserService
import ServiceKit

await ServiceMain.run(userDescriptor, build: buildUserService)
