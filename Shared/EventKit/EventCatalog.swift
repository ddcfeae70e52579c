import Contracts

/// Every event type of the platform, with its payload message from
/// `Protos/events/v1`. Publishers and consumers name events only through these constants.
public enum EventCatalog {
    /// Carries the bcrypt hash: bound to auth's queue only.
    public static let userRegistered = EventType<Events_V1_UserRegistered>("user.registered", onlyFor: ["auth"])
    public static let userUpdated = EventType<Events_V1_UserUpdated>("user.updated")
    public static let userDeactivated = EventType<Events_V1_UserDeactivated>("user.deactivated")
    public static let sessionRevoked = EventType<Events_V1_SessionRevoked>("session.revoked")
}
