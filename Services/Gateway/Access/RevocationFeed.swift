import AMQP
import Contracts
import EventKit
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the revocation list current: `session.revoked` events arrive on a queue of this
/// gateway instance alone (every replica must see every revocation), and after each
/// (re)connection the list is resynchronised from idm, covering events sent while disconnected.
public struct RevocationFeed: Service {
    public typealias Snapshot = @Sendable () async throws -> [(sessionID: String, expiresAt: Date)]

    private let consumer: AMQPConsumer
    private let revocations: RevocationList
    private let snapshot: Snapshot
    private let logger: Logger

    public init(amqp: AMQPConfiguration, instance: String, revocations: RevocationList, logger: Logger, snapshot: @escaping Snapshot) {
        consumer = AMQPConsumer(
            configuration: amqp, queue: .instance(name: "gateway.revocations.\(instance)", bindingKeys: ["session.revoked"]),
            logger: logger)
        self.revocations = revocations
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
                do { try await synchronise() } catch {
                    logger.warning("cannot synchronise revocations from idm", metadata: ["error": "\(error)"])
                }
            },
            handler: { event in try handle(event) })
        try await service.run()
    }

    func handle(_ event: ReceivedEvent) throws {
        let payload = try event.decode(Events_V1_SessionRevoked.self)
        guard !payload.sessionID.isEmpty, payload.hasExpiresAt else {
            throw EventRejected("session.revoked needs a session id and an expiry")
        }
        revocations.revoke(payload.sessionID, until: payload.expiresAt.date)
    }
}
