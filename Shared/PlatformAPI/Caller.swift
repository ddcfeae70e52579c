import PlatformCore

/// The authenticated caller of a REST operation, from a verified access token. The API
/// middleware binds it before the handler runs; handlers read it with `Caller.current()`.
public struct Caller: Sendable, Equatable {
    public let userID: String
    public let email: String
    public let roles: [String]
    public let sessionID: String
    /// The bearer token itself (forwarded where a service must see it, e.g. logout).
    public let token: String
    /// A café terminal's location.
    public let locationID: String?

    public init(userID: String, email: String, roles: [String], sessionID: String, token: String, locationID: String? = nil) {
        self.userID = userID
        self.email = email
        self.roles = roles
        self.sessionID = sessionID
        self.token = token
        self.locationID = locationID
    }

    public func has(_ role: Role) -> Bool { roles.contains(role.rawValue) }

    /// Whether the caller holds every role of `requirement`; a café terminal meets only a
    /// requirement that names `terminal` (an empty one means any user account).
    func meets(_ requirement: Set<String>) -> Bool {
        let held = Set(roles)
        return requirement.isSubset(of: held) && (!has(.terminal) || requirement.contains(Role.terminal.rawValue))
    }

    @TaskLocal static var bound: Caller?

    /// The caller of the operation being handled. An operation the document declares open has
    /// none: asking for it there is a mistake in the handler, answered 401.
    public static func current() throws(AppError) -> Caller {
        guard let caller = bound else { throw AppError(.unauthenticated, "a bearer token is required") }
        return caller
    }

    /// The caller of an operation whose token is optional: nil when none was sent.
    public static func currentIfSignedIn() -> Caller? { bound }

    /// Runs `body` as `caller` (the middleware does this; tests of handlers may too).
    public static func withCaller<T>(_ caller: Caller, _ body: () async throws -> T) async rethrows -> T {
        try await $bound.withValue(caller, operation: body)
    }
}
