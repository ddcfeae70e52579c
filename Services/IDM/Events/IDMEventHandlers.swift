import EventKit
import Foundation
import ServiceKit

/// What idm consumes: a deactivation ends every session of the user, once per event.
public func idmEventHandlers(sessions: SessionRegistry) throws -> EventHandlers {
    var handlers = EventHandlers(service: ServiceManifest.idm.name)
    try handlers.on(EventCatalog.userDeactivated) { payload, event in
        guard let userID = UUID(uuidString: payload.userID) else { throw EventRejected("needs a user id") }
        try await sessions.revoke(.user(userID, except: nil), reason: "deactivated", handledEvent: event)
    }
    return handlers
}
