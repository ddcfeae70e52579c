import Contracts

/// Every event type of the platform, with its payload message from
/// `Protos/events/v1`. Publishers and consumers name events only through these constants.
public enum EventCatalog {
    /// Carries the bcrypt hash: bound to auth's queue only.
    public static let userRegistered = EventType<Events_V1_UserRegistered>("user.registered", onlyFor: ["auth"])
    public static let userUpdated = EventType<Events_V1_UserUpdated>("user.updated")
    public static let userDeactivated = EventType<Events_V1_UserDeactivated>("user.deactivated")
    public static let sessionRevoked = EventType<Events_V1_SessionRevoked>("session.revoked")
    /// A café's access code changed or it was deactivated: idm ends its terminal sessions.
    public static let locationAccessChanged = EventType<Events_V1_LocationAccessChanged>("location.access_changed", onlyFor: ["idm"])

    /// Carries the payment token: bound to payment's queue only.
    public static let orderCreated = EventType<Events_V1_OrderCreated>("order.created", onlyFor: ["payment"])
    public static let orderCancelled = EventType<Events_V1_OrderCancelled>("order.cancelled")
    public static let orderPaid = EventType<Events_V1_OrderPaid>("order.paid")
    public static let orderRefundRequested = EventType<Events_V1_OrderRefundRequested>("order.refund_requested", onlyFor: ["payment"])
    public static let orderRefunded = EventType<Events_V1_OrderRefunded>("order.refunded")
    public static let paymentSucceeded = EventType<Events_V1_PaymentSucceeded>("payment.succeeded")
    public static let paymentFailed = EventType<Events_V1_PaymentFailed>("payment.failed")
    public static let paymentRefunded = EventType<Events_V1_PaymentRefunded>("payment.refunded")
}
