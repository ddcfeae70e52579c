import Foundation
import PlatformCore

extension Requester {
    /// The caller a request names (the gateway fills it from the verified token).
    public init(_ caller: Platform_Common_V1_Caller) {
        self.init(userID: UUID(uuidString: caller.userID), roles: caller.roles, locationID: UUID(uuidString: caller.locationID))
    }
}
