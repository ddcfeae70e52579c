import Crypto
import FoundationEssentials
import PlatformCore

/// Tickets: issued for a client's purchase (one seat of an event, or of a packet and each of its
/// events, never beyond capacity), seen by their holder, the owner of what they admit to and
/// admins, cancelled by their holder or an admin (the seats come back), checked in once by the
/// owner or an admin.
public struct BoxOffice: Sendable {
    public static let idempotencyKeyLimit = 300

    private let store: any TicketingStore
    private let now: @Sendable () -> Date

    public init(store: any TicketingStore, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.now = now
    }

    /// Issues a ticket held by the client `holderClientID` (whose user is `holderUserID`): the
    /// requester must be that user or an admin. The same `idempotencyKey` returns the ticket it
    /// issued first, whatever the target.
    public func issue(
        _ target: TicketTarget, holderClientID: String, holderUserID: String?, idempotencyKey: String?,
        by requester: Requester
    ) async throws -> Ticket {
        guard let client = UUID(uuidString: holderClientID) else {
            throw AppError(.invalidArgument, "the ticket is not valid", details: ["holder_client_id": "must be a UUID"])
        }
        let user = try holderUserID.map { text throws(AppError) in
            guard let user = UUID(uuidString: text) else {
                throw AppError(.invalidArgument, "the ticket is not valid", details: ["holder_user_id": "must be a UUID"])
            }
            return user
        }
        guard requester.has(.admin) || (user != nil && requester.userID == user) else {
            throw AppError(.permissionDenied, "tickets are bought by their holder or an admin")
        }
        if let key = idempotencyKey, key.isEmpty || key.utf8.count > Self.idempotencyKeyLimit {
            throw AppError(
                .invalidArgument, "the idempotency key is not valid",
                details: ["idempotency_key": "must be 1 to \(Self.idempotencyKeyLimit) bytes"])
        }
        let ticket = Ticket(
            code: TicketCode.random(), target: target, holderClientID: client, holderUserID: user, valid: true,
            issuedAt: now(), cancelledAt: nil, checkedInAt: nil)
        return try await store.issue(ticket, keyHash: idempotencyKey.map(Self.hash))
    }

    public func ticket(_ code: String, by requester: Requester) async throws -> Ticket {
        guard let (ticket, owner) = try await store.ticket(code: TicketCode.normalized(code)),
            Self.mayRead(ticket, owner: owner, requester)
        else { throw Self.noTicket }
        return ticket
    }

    /// Admins see every ticket, anyone else the tickets they hold.
    public func tickets(_ paging: PageRequest, by requester: Requester) async throws -> Page<Ticket> {
        if requester.has(.admin) { return try await store.tickets(heldBy: nil, paging) }
        guard let user = requester.userID else { return Page(items: [], request: paging, total: 0) }
        return try await store.tickets(heldBy: user, paging)
    }

    /// Invalidates the ticket and gives its seats back; cancelling a cancelled ticket changes
    /// nothing. A ticket already checked in stays valid (409).
    public func cancel(_ code: String, by requester: Requester) async throws -> Ticket {
        let time = now()
        return try await change(code, by: requester) { ticket, owner in
            guard requester.has(.admin) || (ticket.holderUserID != nil && ticket.holderUserID == requester.userID) else {
                throw Self.mayRead(ticket, owner: owner, requester)
                    ? AppError(.permissionDenied, "only its holder or an admin may cancel a ticket") : Self.noTicket
            }
            guard ticket.valid else { return ticket }
            guard ticket.checkedInAt == nil else { throw AppError(.failedPrecondition, "the ticket has been used") }
            var ticket = ticket
            ticket.valid = false
            ticket.cancelledAt = time
            return ticket
        }
    }

    /// Admits a valid ticket once: a second check-in or an invalid ticket is 409.
    public func checkIn(_ code: String, by requester: Requester) async throws -> Ticket {
        let time = now()
        return try await change(code, by: requester) { ticket, owner in
            guard requester.has(.admin) || (owner != nil && owner == requester.userID) else {
                throw Self.mayRead(ticket, owner: owner, requester)
                    ? AppError(.permissionDenied, "only the owner of its event or an admin checks a ticket in") : Self.noTicket
            }
            guard ticket.valid else { throw AppError(.failedPrecondition, "the ticket is not valid") }
            guard ticket.checkedInAt == nil else { throw AppError(.failedPrecondition, "the ticket has already been checked in") }
            var ticket = ticket
            ticket.checkedInAt = time
            return ticket
        }
    }

    private func change(
        _ code: String, by requester: Requester, _ body: @escaping @Sendable (Ticket, UUID?) throws -> Ticket
    ) async throws -> Ticket {
        guard let ticket = try await store.updateTicket(code: TicketCode.normalized(code), body) else { throw Self.noTicket }
        return ticket
    }

    static func mayRead(_ ticket: Ticket, owner: UUID?, _ requester: Requester) -> Bool {
        guard let user = requester.userID else { return requester.has(.admin) }
        return requester.has(.admin) || ticket.holderUserID == user || owner == user
    }

    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).hexEncoded
    }

    static let noTicket = AppError(.notFound, "no such ticket")
}

/// Ticket codes: 12 characters drawn by the system's CSPRNG from 31 that cannot be mistaken for
/// one another (no 0/O, 1/I/L); about 59 bits.
public enum TicketCode {
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    static let length = 12

    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// Codes are read back case-insensitively; anything that cannot be a code matches nothing.
    static func normalized(_ code: String) -> String {
        let upper = code.uppercased()
        guard upper.count == length, upper.allSatisfy(alphabet.contains) else { return "" }
        return upper
    }
}
