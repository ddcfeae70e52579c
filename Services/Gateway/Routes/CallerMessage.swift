import Contracts
import PlatformAPI

extension Platform_Common_V1_Caller {
    /// The caller of the operation being handled, as the services decide their object-level
    /// rules from it; empty for an anonymous caller.
    static var current: Platform_Common_V1_Caller {
        guard let caller = Caller.currentIfSignedIn() else { return .init() }
        return .with {
            $0.userID = caller.has(.terminal) ? "" : caller.userID
            $0.roles = caller.roles
            $0.locationID = caller.locationID ?? ""
            $0.email = caller.has(.terminal) ? "" : caller.email
        }
    }
}
