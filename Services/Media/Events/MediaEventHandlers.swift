import Contracts
import EventKit
import FoundationEssentials
import ServiceKit

/// What media consumes: a deactivated user's images stop being public (idempotent, so a
/// redelivery changes nothing).
public func mediaEventHandlers(library: ImageLibrary) throws -> EventHandlers {
    var handlers = EventHandlers(service: ServiceManifest.media.name)
    try handlers.on(EventCatalog.userDeactivated) { deactivated, _ in
        guard let user = UUID(uuidString: deactivated.userID) else { throw EventRejected("needs a user id") }
        try await library.ownerDeactivated(user)
    }
    return handlers
}
