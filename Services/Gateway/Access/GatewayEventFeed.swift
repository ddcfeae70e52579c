import AMQP
import Contracts
import EventKit
import FoundationEssentials
import Logging
import ServiceKit
import ServiceLifecycle

/// Keeps the gateway's views current from events on a queue of this instance alone (every
/// replica must see every event): `session.revoked` feeds the revocation list, `user.updated`
/// and `user.deactivated` drop cached profiles. After each (re)connection the revocation list
/// is resynchronised from idm and the profile cache emptied, covering events sent while
/// disconnected.
public struct GatewayEventFeed: Service {
    public typealias Snapshot = @Sendable () async throws -> [(sessionID: String, expiresAt: Date)]

    /// Nil without a broker (tests): the list is then loaded once, by `synchronise()`.
    private let consumer: AMQPConsumer?
    private let revocations: RevocationList
    private let profiles: ProfileCache<OwnProfile>
    private let snapshot: Snapshot
    private let logger: Logger
    let handlers: EventHandlers

    public init(
        amqp: AMQPConfiguration?, instance: String, revocations: RevocationList, profiles: ProfileCache<OwnProfile>, logger: Logger,
        snapshot: @escaping Snapshot
    ) throws {
        var handlers = EventHandlers(service: ServiceManifest.gateway.name)
        try handlers.on(EventCatalog.sessionRevoked) { payload, _ in
            guard !payload.sessionID.isEmpty, payload.hasExpiresAt else { throw EventRejected("needs a session id and an expiry") }
            revocations.revoke(payload.sessionID, until: payload.expiresAt.date)
        }
        try handlers.on(EventCatalog.userUpdated) { payload, _ in profiles.drop(payload.userID) }
        try handlers.on(EventCatalog.userDeactivated) { payload, _ in profiles.drop(payload.userID) }
        self.handlers = handlers
        consumer = amqp.map {
            AMQPConsumer(
                configuration: $0, queue: .instance(name: "gateway.instance.\(instance)", bindingKeys: handlers.bindingKeys),
                logger: logger)
        }
        self.revocations = revocations
        self.profiles = profiles
        self.snapshot = snapshot
        self.logger = logger
    }

    /// Loads every recent revocation from idm.
    public func synchronise() async throws {
        let entries = try await snapshot()
        for entry in entries { revocations.revoke(entry.sessionID, until: entry.expiresAt) }
        logger.info("revocation list synchronised", metadata: ["sessions": "\(entries.count)"])
    }

    var consumesEvents: Bool { consumer != nil }

    public func run() async throws {
        guard let consumer else { return }
        let service = EventConsumer(
            consumer: consumer, logger: logger,
            onConnected: {
                profiles.dropAll()
                do { try await synchronise() } catch {
                    logger.warning("cannot synchronise revocations from idm", metadata: ["error": "\(error)"])
                }
            },
            handler: handlers.handle)
        try await service.run()
    }
}
