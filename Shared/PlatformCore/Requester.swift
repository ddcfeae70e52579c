import FoundationEssentials

/// Who asks, as the gateway verified it from the access token: the services decide their
/// object-level rules (whose order, which café a terminal may touch) from this.
public struct Requester: Sendable, Equatable {
    public var userID: UUID?
    public var roles: [String]
    /// A café terminal's café.
    public var locationID: UUID?
    /// The account's email, where the token carries one.
    public var email: String?

    public init(userID: UUID?, roles: [String], locationID: UUID?, email: String? = nil) {
        self.userID = userID
        self.roles = roles
        self.locationID = locationID
        self.email = email
    }

    /// Nobody signed in.
    public static let anonymous = Requester(userID: nil, roles: [], locationID: nil)

    public func has(_ role: Role) -> Bool { roles.contains(role.rawValue) }

    /// Whether a token named this requester (a user account or a café terminal).
    public var isSignedIn: Bool { !roles.isEmpty }

    /// 401 for an anonymous requester.
    public func requireSignedIn() throws(AppError) {
        guard isSignedIn else { throw AppError(.unauthenticated, "a bearer token is required") }
    }

    /// Staff and admins see and manage every café and order.
    public var isStaff: Bool { has(.staff) || has(.admin) }

    public var isTerminal: Bool { has(.terminal) }

    /// 403 unless the requester may act on `location`'s stock: staff, admins, or its own terminal.
    public func requireAccess(to location: UUID) throws(AppError) {
        guard isStaff || (isTerminal && locationID == location) else {
            throw AppError(.permissionDenied, "this café is not yours")
        }
    }
}
