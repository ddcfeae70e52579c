import FoundationEssentials
import PlatformCore

extension Requester {
    /// The caller a request names (the gateway fills it from the verified token).
    public init(_ caller: Platform_Common_V1_Caller) {
        self.init(
            userID: UUID(uuidString: caller.userID), roles: caller.roles, locationID: UUID(uuidString: caller.locationID),
            email: caller.email.nonEmpty)
    }
}

extension Platform_Common_V1_Caller {
    /// The caller message naming `requester`, for a call a service makes on its behalf.
    public init(_ requester: Requester) {
        self = .with {
            $0.userID = requester.userID?.lowercasedString ?? ""
            $0.roles = requester.roles
            $0.locationID = requester.locationID?.lowercasedString ?? ""
            $0.email = requester.email ?? ""
        }
    }
}
