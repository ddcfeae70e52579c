import EventKit
import FoundationEssentials
import PlatformCore
import ServiceKit

/// What auth consumes: the user service's events keep the credentials and the copies of roles and
/// the active flag current. Malformed events are rejected (dead-lettered).
public func authEventHandlers(credentials: CredentialRegistry) throws -> EventHandlers {
    var handlers = EventHandlers(service: ServiceManifest.auth.name)
    try handlers.on(EventCatalog.userRegistered) { payload, event in
        guard let id = UUID(uuidString: payload.userID), payload.passwordHash.hasPrefix("$2"), !payload.email.isEmpty else {
            throw EventRejected("needs a user id, an email and a bcrypt hash")
        }
        let credential = Credential(
            userID: id, email: EmailAddress.normalized(payload.email), passwordHash: payload.passwordHash,
            roles: payload.roles, active: true, sourceVersion: payload.version)
        try await credentials.apply(.registered(credential), from: event)
    }
    try handlers.on(EventCatalog.userUpdated) { payload, event in
        guard let id = UUID(uuidString: payload.userID) else { throw EventRejected("needs a user id") }
        let change = CredentialChange.updated(
            userID: id, email: EmailAddress.normalized(payload.email), roles: payload.roles, active: payload.active,
            version: payload.version)
        try await credentials.apply(change, from: event)
    }
    try handlers.on(EventCatalog.userDeactivated) { payload, event in
        guard let id = UUID(uuidString: payload.userID) else { throw EventRejected("needs a user id") }
        try await credentials.apply(.deactivated(userID: id, version: payload.version), from: event)
    }
    return handlers
}
