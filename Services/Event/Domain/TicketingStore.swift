import FoundationEssentials
import PlatformCore

/// Where events, packets and tickets are kept. Every method that changes a row takes it under a
/// lock first and hands it to `check`/`change` (the domain's rules: who may, what is allowed), so
/// a rule is decided on the row as it is committed, never on an earlier read.
public protocol TicketingStore: Sendable {
    func events(_ query: EventQuery) async throws -> Page<Event>
    func event(id: UUID) async throws -> Event?
    func insert(_ event: Event) async throws
    /// Nil when there is no such event.
    func updateEvent(id: UUID, _ change: @escaping @Sendable (Event) throws -> Event) async throws -> Event?
    /// False when there is no such event.
    func deleteEvent(id: UUID, _ check: @escaping @Sendable (Event) throws -> Void) async throws -> Bool
    /// The packets the event is in; nil when there is no such event.
    func packets(ofEvent id: UUID) async throws -> [Packet]?

    func packets(_ paging: PageRequest, search: String?) async throws -> Page<Packet>
    func packet(id: UUID) async throws -> Packet?
    /// Fails with `notFound` naming the first of `packet.eventIDs` that does not exist.
    func insert(_ packet: Packet) async throws
    func updatePacket(id: UUID, _ change: @escaping @Sendable (Packet) throws -> Packet) async throws -> Packet?
    func deletePacket(id: UUID, _ check: @escaping @Sendable (Packet) throws -> Void) async throws -> Bool
    /// Adds (`adding`) or removes the event; `check` sees the packet before. Nil when there is no
    /// such packet; `notFound` for an unknown event.
    func changeMembership(
        packet: UUID, event: UUID, adding: Bool, _ check: @escaping @Sendable (Packet) throws -> Void
    ) async throws -> Packet?
    /// Nil when there is no such packet.
    func events(ofPacket id: UUID) async throws -> [Event]?

    /// Takes a seat of the target (and of each event of a packet) and writes the ticket, or returns
    /// the ticket issued before under `keyHash`. Fails with `failedPrecondition` when a seat is
    /// missing and `notFound` for an unknown target.
    func issue(_ ticket: Ticket, keyHash: String?) async throws -> Ticket
    /// The ticket and the owner of its event or packet (nil when that is gone).
    func ticket(code: String) async throws -> (ticket: Ticket, ownerID: UUID?)?
    /// Most recent first; every ticket when `holderUserID` is nil.
    func tickets(heldBy holderUserID: UUID?, _ paging: PageRequest) async throws -> Page<Ticket>
    /// Applies `change` to the ticket under lock; a ticket that turns invalid gives its seats back.
    func updateTicket(
        code: String, _ change: @escaping @Sendable (Ticket, _ ownerID: UUID?) throws -> Ticket
    ) async throws -> Ticket?
}
