import AMQP
import Contracts
import EventKit
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the gateway's views current from events on a queue of this instance alone (every
/// replica must see every event): `session.revoked` feeds the revocation list, `user.updated`
/// and `user.deactivated` drop cached profiles. After each (re)connection the revocation list
/// is resynchronised from idm and the profile cache emptied, covering events sent while
/// disconnected.
public struct GatewayEventFeed: Service {
    public typealias Snapshot = @Sendable () async throws -> [(sessionID: String, expiresAt: Date)]

    private let consumer: AMQPConsumer
    private let revocations: RevocationList
    private let profiles: ProfileCache
    private let snapshot: Snapshot
    private let logger: Logger

    public init(
        amqp: AMQPConfiguration, instance: String, revocations: RevocationList, profiles: ProfileCache, logger: Logger,
        snapshot: @escaping Snapshot
    ) {
        consumer = AMQPConsumer(
            configuration: amqp,
            queue: .instance(
                name: "gateway.instance.\(instance)", bindingKeys: ["session.revoked", "user.updated", "user.deactivated"]),
            logger: logger)
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

    public func run() async throws {
        let service = EventConsumer(
            consumer: consumer, logger: logger,
            onConnected: {
                profiles.dropAll()
                do { try await synchronise() } catch {
                    logger.warning("cannot synchronise revocations from idm", metadata: ["error": "\(error)"])
                }
            },
            handler: { event in try handle(event) })
        try await service.run()
    }

    func handle(_ event: ReceivedEvent) throws {
        switch event.type {
        case "session.revoked":
            let payload = try event.decode(Events_V1_SessionRevoked.self)
            guard !payload.sessionID.isEmpty, payload.hasExpiresAt else {
                throw EventRejected("session.revoked needs a session id and an expiry")
            }
            revocations.revoke(payload.sessionID, until: payload.expiresAt.date)
        case "user.updated":
            profiles.drop(try event.decode(Events_V1_UserUpdated.self).userID)
        case "user.deactivated":
            profiles.drop(try event.decode(Events_V1_UserDeactivated.self).userID)
        default:
            throw EventRejected("the gateway does not handle '\(event.type)'")
        }
    }
}
