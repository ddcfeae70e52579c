import FoundationEssentials

/// What a ticket admits to: one event, or a packet of events (the event service issues tickets,
/// the client service records them; both speak of their target the same way).
public enum TicketTarget: Sendable, Equatable {
    case event(UUID)
    case packet(UUID)

    /// Exactly one of the two ids, as requests name them (`event_id`, `packet_id`).
    public init(eventID: String, packetID: String) throws(AppError) {
        switch (eventID.nonEmpty, packetID.nonEmpty) {
        case (let event?, nil):
            guard let id = UUID(uuidString: event) else { throw AppError(.notFound, "no such event") }
            self = .event(id)
        case (nil, let packet?):
            guard let id = UUID(uuidString: packet) else { throw AppError(.notFound, "no such packet") }
            self = .packet(id)
        default:
            throw AppError(
                .invalidArgument, "name exactly one of event_id and packet_id",
                details: ["event_id": "exactly one of event_id and packet_id is required"])
        }
    }

    public var eventID: UUID? {
        if case .event(let id) = self { return id }
        return nil
    }

    public var packetID: UUID? {
        if case .packet(let id) = self { return id }
        return nil
    }
}
