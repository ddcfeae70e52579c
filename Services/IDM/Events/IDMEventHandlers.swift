import EventKit
import FoundationEssentials
import ServiceKit

/// What idm consumes: the user service's changes of a user's state, applied by version (a
/// deactivation ends every session of the user; a change of roles ends the sessions with other
/// roles), and product's changes of a café's access (its terminals' sessions end). Once per event.
public func idmEventHandlers(sessions: SessionRegistry) throws -> EventHandlers {
    var handlers = EventHandlers(service: ServiceManifest.idm.name)
    try handlers.on(EventCatalog.userUpdated) { payload, event in
        guard let userID = UUID(uuidString: payload.userID), payload.version > 0 else {
            throw EventRejected("needs a user id and a version")
        }
        let state = AccountInfo(
            userID: userID, email: payload.email, roles: payload.roles, active: payload.active, version: payload.version)
        try await sessions.applyUserState(state, from: event)
    }
    try handlers.on(EventCatalog.userDeactivated) { payload, event in
        guard let userID = UUID(uuidString: payload.userID), payload.version > 0 else {
            throw EventRejected("needs a user id and a version")
        }
        // The roles are those of the user.updated the same change published; without them nothing
        // differs, as a deactivation ends every session anyway.
        let state = AccountInfo(userID: userID, email: "", roles: [], active: false, version: payload.version)
        try await sessions.applyUserState(state, from: event)
    }
    try handlers.on(EventCatalog.locationAccessChanged) { payload, event in
        guard let location = UUID(uuidString: payload.locationID) else { throw EventRejected("needs a location id") }
        try await sessions.revoke(
            .user(location, except: nil), reason: payload.active ? "access_code_changed" : "location_deactivated",
            handledEvent: event)
    }
    return handlers
}
