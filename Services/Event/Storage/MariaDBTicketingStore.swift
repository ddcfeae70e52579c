import DatabaseKit
import FoundationEssentials
import MariaDB
import PlatformCore

/// Events, packets and tickets on the event service's MariaDB database. Seats are taken and given
/// back in the transaction that writes the ticket, under row locks: the packet first, then its
/// events in id order (deadlocks with other orders are retried).
public struct MariaDBTicketingStore: TicketingStore {
    private let client: MariaDBClient
    static let deadlockRetries = 3
    static let eventColumns =
        "e.id, e.owner_id, e.name, e.location, e.description, e.starts_at, e.capacity, e.tickets_sold, e.created_at, e.updated_at"
    /// A packet with its events (by start) and the fewest seats any of them has left.
    static let packetColumns = """
        p.id, p.owner_id, p.name, p.description, p.capacity, p.tickets_sold, p.created_at, p.updated_at,
        (SELECT GROUP_CONCAT(e.id ORDER BY e.starts_at, e.id) FROM packet_events pe JOIN events e ON e.id = pe.event_id
         WHERE pe.packet_id = p.id) AS event_ids,
        (SELECT min(e.capacity - e.tickets_sold) FROM packet_events pe JOIN events e ON e.id = pe.event_id
         WHERE pe.packet_id = p.id) AS events_left
        """
    static let ticketColumns =
        "t.code, t.event_id, t.packet_id, t.holder_client_id, t.holder_user_id, t.valid, t.issued_at, t.cancelled_at, t.checked_in_at"

    public init(client: MariaDBClient) { self.client = client }

    // MARK: Events

    public func events(_ query: EventQuery) async throws -> Page<Event> {
        let filter = """
            WHERE (? IS NULL OR e.starts_at >= ?) AND (? IS NULL OR e.starts_at <= ?)
              AND (? IS NULL OR e.name LIKE ? ESCAPE '\\\\')
            """
        let from = SQLValue(query.from), to = SQLValue(query.to)
        let pattern = query.search.map(SQLValue.containing) ?? .null
        let parameters = [from, from, to, to, pattern, pattern]
        let total = try await client.query("SELECT count(*) AS total FROM events e \(filter)", parameters)
        let rows = try await client.query(
            "SELECT \(Self.eventColumns) FROM events e \(filter) ORDER BY e.starts_at, e.id LIMIT ? OFFSET ?",
            parameters + [.int(Int64(query.paging.size)), .int(Int64(query.paging.offset))])
        return Page(items: try rows.map(Self.event), request: query.paging, total: try Self.count(total))
    }

    public func event(id: UUID) async throws -> Event? {
        try await client.query("SELECT \(Self.eventColumns) FROM events e WHERE e.id = ?", [.uuid(id)]).first.map(Self.event)
    }

    public func insert(_ event: Event) async throws {
        try await client.execute(
            """
            INSERT INTO events (id, owner_id, name, location, description, starts_at, capacity, tickets_sold, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.uuid(event.id), .uuid(event.ownerID), .string(event.name), .string(event.location), .string(event.description),
             .date(event.startsAt), .int(event.capacity), .int(event.ticketsSold), .date(event.createdAt), .date(event.updatedAt)])
    }

    public func updateEvent(id: UUID, _ change: @escaping @Sendable (Event) throws -> Event) async throws -> Event? {
        try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { connection in
            guard let event = try Self.lockedEvent(id, connection) else { return nil }
            let changed = try change(event)
            try connection.execute(
                "UPDATE events SET name = ?, location = ?, description = ?, starts_at = ?, capacity = ?, updated_at = ? WHERE id = ?",
                [.string(changed.name), .string(changed.location), .string(changed.description), .date(changed.startsAt),
                 .int(changed.capacity), .date(changed.updatedAt), .uuid(id)])
            return changed
        }
    }

    public func deleteEvent(id: UUID, _ check: @escaping @Sendable (Event) throws -> Void) async throws -> Bool {
        try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { connection in
            guard let event = try Self.lockedEvent(id, connection) else { return false }
            try check(event)
            try connection.execute("DELETE FROM events WHERE id = ?", [.uuid(id)])
            return true
        }
    }

    public func packets(ofEvent id: UUID) async throws -> [Packet]? {
        try await client.transaction { connection in
            guard try !connection.query("SELECT id FROM events WHERE id = ?", [.uuid(id)]).isEmpty else { return nil }
            return try connection.query(
                """
                SELECT \(Self.packetColumns) FROM packets p JOIN packet_events m ON m.packet_id = p.id
                WHERE m.event_id = ? ORDER BY p.name, p.id
                """,
                [.uuid(id)]
            ).map(Self.packet)
        }
    }

    // MARK: Packets

    public func packets(_ paging: PageRequest, search: String?) async throws -> Page<Packet> {
        let pattern = search.map(SQLValue.containing) ?? .null
        let filter = "WHERE (? IS NULL OR p.name LIKE ? ESCAPE '\\\\')"
        let total = try await client.query("SELECT count(*) AS total FROM packets p \(filter)", [pattern, pattern])
        let rows = try await client.query(
            "SELECT \(Self.packetColumns) FROM packets p \(filter) ORDER BY p.name, p.id LIMIT ? OFFSET ?",
            [pattern, pattern, .int(Int64(paging.size)), .int(Int64(paging.offset))])
        return Page(items: try rows.map(Self.packet), request: paging, total: try Self.count(total))
    }

    public func packet(id: UUID) async throws -> Packet? {
        try await client.query("SELECT \(Self.packetColumns) FROM packets p WHERE p.id = ?", [.uuid(id)]).first.map(Self.packet)
    }

    public func insert(_ packet: Packet) async throws {
        try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { connection in
            try connection.execute(
                """
                INSERT INTO packets (id, owner_id, name, description, capacity, tickets_sold, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?)
                """,
                [.uuid(packet.id), .uuid(packet.ownerID), .string(packet.name), .string(packet.description),
                 packet.capacity.map(SQLValue.int) ?? .null, .date(packet.createdAt), .date(packet.updatedAt)])
            for (index, event) in packet.eventIDs.enumerated() {
                guard try Self.eventExists(event, connection) else {
                    throw AppError(.notFound, "no such event", details: ["event_ids.\(index)": "no such event"])
                }
                try connection.execute("INSERT INTO packet_events (packet_id, event_id) VALUES (?, ?)", [.uuid(packet.id), .uuid(event)])
            }
        }
    }

    public func updatePacket(id: UUID, _ change: @escaping @Sendable (Packet) throws -> Packet) async throws -> Packet? {
        try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { connection in
            guard let packet = try Self.lockedPacket(id, connection) else { return nil }
            let changed = try change(packet)
            try connection.execute(
                "UPDATE packets SET name = ?, description = ?, capacity = ?, updated_at = ? WHERE id = ?",
                [.string(changed.name), .string(changed.description), changed.capacity.map(SQLValue.int) ?? .null,
                 .date(changed.updatedAt), .uuid(id)])
            return try Self.packet(id, connection)
        }
    }

    public func deletePacket(id: UUID, _ check: @escaping @Sendable (Packet) throws -> Void) async throws -> Bool {
        try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { connection in
            guard let packet = try Self.lockedPacket(id, connection) else { return false }
            try check(packet)
            try connection.execute("DELETE FROM packets WHERE id = ?", [.uuid(id)])
            return true
        }
    }

    public func changeMembership(
        packet id: UUID, event: UUID, adding: Bool, _ check: @escaping @Sendable (Packet) throws -> Void
    ) async throws -> Packet? {
        try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { connection in
            guard let packet = try Self.lockedPacket(id, connection) else { return nil }
            try check(packet)
            guard try Self.eventExists(event, connection) else { throw AppError(.notFound, "no such event") }
            let statement =
                adding
                ? "INSERT IGNORE INTO packet_events (packet_id, event_id) VALUES (?, ?)"
                : "DELETE FROM packet_events WHERE packet_id = ? AND event_id = ?"
            if try connection.execute(statement, [.uuid(id), .uuid(event)]) > 0 {
                try connection.execute("UPDATE packets SET updated_at = ? WHERE id = ?", [.date(Date()), .uuid(id)])
            }
            return try Self.packet(id, connection)
        }
    }

    public func events(ofPacket id: UUID) async throws -> [Event]? {
        try await client.transaction { connection in
            guard try !connection.query("SELECT id FROM packets WHERE id = ?", [.uuid(id)]).isEmpty else { return nil }
            return try connection.query(
                """
                SELECT \(Self.eventColumns) FROM events e JOIN packet_events m ON m.event_id = e.id
                WHERE m.packet_id = ? ORDER BY e.starts_at, e.id
                """,
                [.uuid(id)]
            ).map(Self.event)
        }
    }

    // MARK: Tickets

    public func issue(_ ticket: Ticket, keyHash: String?) async throws -> Ticket {
        var ticket = ticket
        for attempt in 1...3 {
            do {
                return try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { [ticket] connection in
                    if let keyHash, let issued = try Self.ticket(issuedUnder: keyHash, connection) { return issued }
                    try Self.takeSeats(of: ticket.target, connection)
                    try connection.execute(
                        """
                        INSERT INTO tickets (code, event_id, packet_id, holder_client_id, holder_user_id, idempotency_key, valid, issued_at)
                        VALUES (?, ?, ?, ?, ?, ?, TRUE, ?)
                        """,
                        [.string(ticket.code), SQLValue(ticket.target.eventID), SQLValue(ticket.target.packetID),
                         .uuid(ticket.holderClientID), SQLValue(ticket.holderUserID), SQLValue(keyHash), .date(ticket.issuedAt)])
                    return ticket
                }
            } catch let error as DatabaseError where error.kind == .uniqueViolation {
                // The same key committed first (its ticket is the answer), or the code was taken.
                if let keyHash, let issued = try await client.transaction({ try Self.ticket(issuedUnder: keyHash, $0) }) {
                    return issued
                }
                if attempt == 3 { throw error }
                ticket.code = TicketCode.random()
            }
        }
        preconditionFailure("unreachable")
    }

    public func ticket(code: String) async throws -> (ticket: Ticket, ownerID: UUID?)? {
        try await client.transaction { connection in
            guard let ticket = try Self.ticket(code, lock: false, connection) else { return nil }
            return (ticket, try Self.owner(of: ticket.target, connection))
        }
    }

    public func tickets(heldBy holderUserID: UUID?, _ paging: PageRequest) async throws -> Page<Ticket> {
        let filter = "WHERE (? IS NULL OR t.holder_user_id = ?)"
        let holder = SQLValue(holderUserID)
        let total = try await client.query("SELECT count(*) AS total FROM tickets t \(filter)", [holder, holder])
        let rows = try await client.query(
            "SELECT \(Self.ticketColumns) FROM tickets t \(filter) ORDER BY t.issued_at DESC, t.code LIMIT ? OFFSET ?",
            [holder, holder, .int(Int64(paging.size)), .int(Int64(paging.offset))])
        return Page(items: try rows.map(Self.ticket), request: paging, total: try Self.count(total))
    }

    public func updateTicket(
        code: String, _ change: @escaping @Sendable (Ticket, UUID?) throws -> Ticket
    ) async throws -> Ticket? {
        try await client.transaction(retryingDeadlocks: Self.deadlockRetries) { connection in
            guard let ticket = try Self.ticket(code, lock: true, connection) else { return nil }
            let changed = try change(ticket, try Self.owner(of: ticket.target, connection))
            guard changed != ticket else { return ticket }
            if ticket.valid && !changed.valid { try Self.giveSeatsBack(of: ticket.target, connection) }
            try connection.execute(
                "UPDATE tickets SET valid = ?, cancelled_at = ?, checked_in_at = ? WHERE code = ?",
                [.bool(changed.valid), SQLValue(changed.cancelledAt), SQLValue(changed.checkedInAt), .string(code)])
            return changed
        }
    }

    // MARK: Seats

    static func takeSeats(of target: TicketTarget, _ connection: MariaDBConnection) throws {
        switch target {
        case .event(let id):
            guard let row = try connection.query("SELECT capacity, tickets_sold FROM events WHERE id = ? FOR UPDATE", [.uuid(id)]).first
            else { throw AppError(.notFound, "no such event") }
            guard try row.required("tickets_sold", row.int) < row.required("capacity", row.int) else { throw noSeats }
            try connection.execute("UPDATE events SET tickets_sold = tickets_sold + 1 WHERE id = ?", [.uuid(id)])
        case .packet(let id):
            guard let row = try connection.query("SELECT capacity, tickets_sold FROM packets WHERE id = ? FOR UPDATE", [.uuid(id)]).first
            else { throw AppError(.notFound, "no such packet") }
            if let capacity = try row.int("capacity"), try row.required("tickets_sold", row.int) >= capacity { throw noSeats }
            let events = try connection.query(
                """
                SELECT e.id, e.capacity, e.tickets_sold FROM packet_events m JOIN events e ON e.id = m.event_id
                WHERE m.packet_id = ? ORDER BY e.id FOR UPDATE
                """,
                [.uuid(id)])
            guard !events.isEmpty else { throw AppError(.failedPrecondition, "the packet has no events") }
            for event in events {
                if try event.required("tickets_sold", event.int) >= event.required("capacity", event.int) { throw noSeats }
            }
            try connection.execute("UPDATE packets SET tickets_sold = tickets_sold + 1 WHERE id = ?", [.uuid(id)])
            try connection.execute(
                "UPDATE events SET tickets_sold = tickets_sold + 1 WHERE id IN (SELECT event_id FROM packet_events WHERE packet_id = ?)",
                [.uuid(id)])
        }
    }

    static func giveSeatsBack(of target: TicketTarget, _ connection: MariaDBConnection) throws {
        switch target {
        case .event(let id):
            try connection.execute("UPDATE events SET tickets_sold = tickets_sold - 1 WHERE id = ?", [.uuid(id)])
        case .packet(let id):
            try connection.execute("UPDATE packets SET tickets_sold = tickets_sold - 1 WHERE id = ?", [.uuid(id)])
            try connection.execute(
                "UPDATE events SET tickets_sold = tickets_sold - 1 WHERE id IN (SELECT event_id FROM packet_events WHERE packet_id = ?)",
                [.uuid(id)])
        }
    }

    static let noSeats = AppError(.failedPrecondition, "no seats left")

    // MARK: Rows

    static func lockedEvent(_ id: UUID, _ connection: MariaDBConnection) throws -> Event? {
        try connection.query("SELECT \(eventColumns) FROM events e WHERE e.id = ? FOR UPDATE", [.uuid(id)]).first.map(event)
    }

    static func lockedPacket(_ id: UUID, _ connection: MariaDBConnection) throws -> Packet? {
        guard try !connection.query("SELECT id FROM packets WHERE id = ? FOR UPDATE", [.uuid(id)]).isEmpty else { return nil }
        return try packet(id, connection)
    }

    static func packet(_ id: UUID, _ connection: MariaDBConnection) throws -> Packet? {
        try connection.query("SELECT \(packetColumns) FROM packets p WHERE p.id = ?", [.uuid(id)]).first.map(packet)
    }

    static func eventExists(_ id: UUID, _ connection: MariaDBConnection) throws -> Bool {
        try !connection.query("SELECT id FROM events WHERE id = ? LOCK IN SHARE MODE", [.uuid(id)]).isEmpty
    }

    static func ticket(_ code: String, lock: Bool, _ connection: MariaDBConnection) throws -> Ticket? {
        try connection.query(
            "SELECT \(ticketColumns) FROM tickets t WHERE t.code = ?\(lock ? " FOR UPDATE" : "")", [.string(code)]
        ).first.map(ticket)
    }

    static func ticket(issuedUnder keyHash: String, _ connection: MariaDBConnection) throws -> Ticket? {
        try connection.query("SELECT \(ticketColumns) FROM tickets t WHERE t.idempotency_key = ?", [.string(keyHash)]).first.map(ticket)
    }

    static func owner(of target: TicketTarget, _ connection: MariaDBConnection) throws -> UUID? {
        let (table, id) =
            switch target {
            case .event(let id): ("events", id)
            case .packet(let id): ("packets", id)
            }
        return try connection.query("SELECT owner_id FROM \(table) WHERE id = ?", [.uuid(id)]).first?.uuid("owner_id")
    }

    static func count(_ rows: [SQLRow]) throws -> Int {
        try rows.first.map { try $0.required("total", $0.int) } ?? 0
    }

    static func event(_ row: SQLRow) throws -> Event {
        Event(
            id: try row.required("id", row.uuid), ownerID: try row.required("owner_id", row.uuid),
            name: try row.required("name", row.string), location: try row.required("location", row.string),
            description: try row.required("description", row.string), startsAt: try row.required("starts_at", row.date),
            capacity: Int64(try row.required("capacity", row.int)), ticketsSold: Int64(try row.required("tickets_sold", row.int)),
            createdAt: try row.required("created_at", row.date), updatedAt: try row.required("updated_at", row.date))
    }

    static func packet(_ row: SQLRow) throws -> Packet {
        let capacity = try row.int("capacity").map(Int64.init)
        let sold = Int64(try row.required("tickets_sold", row.int))
        let eventIDs = try row.string("event_ids").map { $0.split(separator: ",").compactMap { UUID(uuidString: String($0)) } } ?? []
        var seatsLeft: Int64 = 0
        if let eventsLeft = try row.int("events_left").map(Int64.init) {
            seatsLeft = min(eventsLeft, capacity.map { $0 - sold } ?? .max)
        }
        return Packet(
            id: try row.required("id", row.uuid), ownerID: try row.required("owner_id", row.uuid),
            name: try row.required("name", row.string), description: try row.required("description", row.string),
            capacity: capacity, ticketsSold: sold, eventIDs: eventIDs, seatsLeft: max(seatsLeft, 0),
            createdAt: try row.required("created_at", row.date), updatedAt: try row.required("updated_at", row.date))
    }

    static func ticket(_ row: SQLRow) throws -> Ticket {
        let target: TicketTarget
        if let event = try row.uuid("event_id") {
            target = .event(event)
        } else {
            target = .packet(try row.required("packet_id", row.uuid))
        }
        return Ticket(
            code: try row.required("code", row.string), target: target,
            holderClientID: try row.required("holder_client_id", row.uuid), holderUserID: try row.uuid("holder_user_id"),
            valid: try row.required("valid", row.bool), issuedAt: try row.required("issued_at", row.date),
            cancelledAt: try row.date("cancelled_at"), checkedInAt: try row.date("checked_in_at"))
    }
}
