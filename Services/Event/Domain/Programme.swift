import FoundationEssentials
import PlatformCore

/// The programme, events and packets: anyone reads them; staff and admins create them and become their owner;
/// the owner or an admin changes and deletes them. Seats sold are never given up by an edit: a
/// capacity below the tickets sold, deleting what has valid tickets, and changing the events of
/// a packet that has sold tickets are refused (409).
public struct Programme: Sendable {
    public static let nameLimit = TextLimit(characters: 200)
    public static let locationLimit = TextLimit(characters: 200)
    public static let descriptionLimit = TextLimit(characters: 5000)
    public static let capacityRange: ClosedRange<Int64> = 1...1_000_000
    public static let packetEventLimit = 50

    private let store: any TicketingStore
    private let now: @Sendable () -> Date

    public init(store: any TicketingStore, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.now = now
    }

    // MARK: Events

    public func events(_ query: EventQuery) async throws -> Page<Event> {
        var query = query
        query.search = query.search?.trimmingWhitespace().nonEmpty
        if let from = query.from, let to = query.to, from > to {
            throw AppError(.invalidArgument, "the range is empty", details: ["from": "must not be after `to`"])
        }
        return try await store.events(query)
    }

    public func event(_ id: String) async throws -> Event {
        guard let id = UUID(uuidString: id), let event = try await store.event(id: id) else { throw Self.noEvent }
        return event
    }

    public func createEvent(_ change: EventChange, by requester: Requester) async throws -> Event {
        let owner = try Self.creator(requester)
        var problems: [String: String] = [:]
        for (field, value) in [("name", change.name), ("location", change.location), ("starts_at", change.startsAt)]
        where value == nil {
            problems[field] = "is required"
        }
        if change.capacity == nil { problems["capacity"] = "is required" }
        let checked = try Self.checked(change, problems: problems)
        let time = now()
        let event = Event(
            id: UUID(), ownerID: owner, name: checked.name ?? "", location: checked.location ?? "",
            description: checked.description ?? "", startsAt: checked.startsAt.flatMap(Date.init(rfc3339:)) ?? time,
            capacity: checked.capacity ?? 1, ticketsSold: 0, createdAt: time, updatedAt: time)
        try await store.insert(event)
        return event
    }

    public func updateEvent(_ id: String, _ change: EventChange, by requester: Requester) async throws -> Event {
        let checked = try Self.checked(change, problems: [:])
        guard let id = UUID(uuidString: id) else { throw Self.noEvent }
        let time = now()
        let updated = try await store.updateEvent(id: id) { event in
            try Self.requireOwner(event.ownerID, requester)
            var event = event
            if let name = checked.name { event.name = name }
            if let location = checked.location { event.location = location }
            if let description = checked.description { event.description = description }
            if let startsAt = checked.startsAt.flatMap(Date.init(rfc3339:)) { event.startsAt = startsAt }
            if let capacity = checked.capacity {
                guard capacity >= event.ticketsSold else {
                    throw AppError(
                        .failedPrecondition, "the capacity is below the tickets sold",
                        details: ["capacity": "must be at least \(event.ticketsSold), the tickets sold"])
                }
                event.capacity = capacity
            }
            event.updatedAt = time
            return event
        }
        guard let updated else { throw Self.noEvent }
        return updated
    }

    public func deleteEvent(_ id: String, by requester: Requester) async throws {
        guard let id = UUID(uuidString: id),
            try await store.deleteEvent(id: id, { event in
                try Self.requireOwner(event.ownerID, requester)
                guard event.ticketsSold == 0 else {
                    throw AppError(.failedPrecondition, "the event has \(event.ticketsSold) valid tickets")
                }
            })
        else { throw Self.noEvent }
    }

    public func packets(ofEvent id: String) async throws -> [Packet] {
        guard let id = UUID(uuidString: id), let packets = try await store.packets(ofEvent: id) else { throw Self.noEvent }
        return packets
    }

    // MARK: Packets

    public func packets(_ paging: PageRequest, search: String?) async throws -> Page<Packet> {
        try await store.packets(paging, search: search?.trimmingWhitespace().nonEmpty)
    }

    public func packet(_ id: String) async throws -> Packet {
        guard let id = UUID(uuidString: id), let packet = try await store.packet(id: id) else { throw Self.noPacket }
        return packet
    }

    public func createPacket(_ change: PacketChange, eventIDs: [String], by requester: Requester) async throws -> Packet {
        let owner = try Self.creator(requester)
        let checked = try Self.checked(change, problems: change.name == nil ? ["name": "is required"] : [:])
        var events: [UUID] = []
        for (index, text) in eventIDs.enumerated() {
            guard let id = UUID(uuidString: text) else {
                throw AppError(.invalidArgument, "the packet is not valid", details: ["event_ids.\(index)": "must be a UUID"])
            }
            if !events.contains(id) { events.append(id) }
        }
        guard events.count <= Self.packetEventLimit else {
            throw AppError(
                .invalidArgument, "the packet is not valid", details: ["event_ids": "at most \(Self.packetEventLimit) events"])
        }
        let time = now()
        let packet = Packet(
            id: UUID(), ownerID: owner, name: checked.name ?? "", description: checked.description ?? "",
            capacity: checked.capacity ?? nil, ticketsSold: 0, eventIDs: events, seatsLeft: 0, createdAt: time, updatedAt: time)
        try await store.insert(packet)
        return try await self.packet(packet.id.lowercasedString)
    }

    public func updatePacket(_ id: String, _ change: PacketChange, by requester: Requester) async throws -> Packet {
        let checked = try Self.checked(change, problems: [:])
        guard let id = UUID(uuidString: id) else { throw Self.noPacket }
        let time = now()
        let updated = try await store.updatePacket(id: id) { packet in
            try Self.requireOwner(packet.ownerID, requester)
            var packet = packet
            if let name = checked.name { packet.name = name }
            if let description = checked.description { packet.description = description }
            if let capacity = checked.capacity {
                if let capacity, capacity < packet.ticketsSold {
                    throw AppError(
                        .failedPrecondition, "the capacity is below the tickets sold",
                        details: ["capacity": "must be at least \(packet.ticketsSold), the tickets sold"])
                }
                packet.capacity = capacity
            }
            packet.updatedAt = time
            return packet
        }
        guard let updated else { throw Self.noPacket }
        return updated
    }

    public func deletePacket(_ id: String, by requester: Requester) async throws {
        guard let id = UUID(uuidString: id),
            try await store.deletePacket(id: id, { packet in
                try Self.requireOwner(packet.ownerID, requester)
                guard packet.ticketsSold == 0 else {
                    throw AppError(.failedPrecondition, "the packet has \(packet.ticketsSold) valid tickets")
                }
            })
        else { throw Self.noPacket }
    }

    /// Adds the event to the packet (`adding`) or takes it out; a no-op when already so.
    public func changeMembership(packet: String, event: String, adding: Bool, by requester: Requester) async throws -> Packet {
        guard let packetID = UUID(uuidString: packet) else { throw Self.noPacket }
        guard let eventID = UUID(uuidString: event) else { throw Self.noEvent }
        let changed = try await store.changeMembership(packet: packetID, event: eventID, adding: adding) { packet in
            try Self.requireOwner(packet.ownerID, requester)
            guard packet.ticketsSold == 0 else {
                throw AppError(
                    .failedPrecondition, "the packet has \(packet.ticketsSold) valid tickets: its events can no longer change")
            }
            if adding && !packet.eventIDs.contains(eventID) && packet.eventIDs.count >= Self.packetEventLimit {
                throw AppError(.failedPrecondition, "a packet holds at most \(Self.packetEventLimit) events")
            }
        }
        guard let changed else { throw Self.noPacket }
        return changed
    }

    public func events(ofPacket id: String) async throws -> [Event] {
        guard let id = UUID(uuidString: id), let events = try await store.events(ofPacket: id) else { throw Self.noPacket }
        return events
    }

    // MARK: Rules

    static func creator(_ requester: Requester) throws(AppError) -> UUID {
        guard requester.isStaff, let owner = requester.userID else {
            throw AppError(.permissionDenied, "only staff and admins create events and packets")
        }
        return owner
    }

    static func requireOwner(_ owner: UUID, _ requester: Requester) throws(AppError) {
        guard requester.has(.admin) || requester.userID == owner else {
            throw AppError(.permissionDenied, "only its owner or an admin may change it")
        }
    }

    static func checked(_ change: EventChange, problems: [String: String]) throws(AppError) -> EventChange {
        var problems = problems
        var checked = change
        checked.name = change.name?.trimmingWhitespace()
        checked.location = change.location?.trimmingWhitespace()
        checked.description = change.description?.trimmingWhitespace()
        if let name = checked.name, let problem = nameLimit.problem(with: name) { problems["name"] = problem }
        if let location = checked.location, let problem = locationLimit.problem(with: location) { problems["location"] = problem }
        if let description = checked.description, let problem = descriptionLimit.problem(with: description, required: false) {
            problems["description"] = problem
        }
        if let startsAt = change.startsAt, Date(rfc3339: startsAt) == nil {
            problems["starts_at"] = "must be an RFC 3339 time, e.g. 2027-03-01T19:30:00Z"
        }
        if let capacity = change.capacity, !capacityRange.contains(capacity) {
            problems["capacity"] = "must be between \(capacityRange.lowerBound) and \(capacityRange.upperBound)"
        }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the event is not valid", details: problems) }
        return checked
    }

    static func checked(_ change: PacketChange, problems: [String: String]) throws(AppError) -> PacketChange {
        var problems = problems
        var checked = change
        checked.name = change.name?.trimmingWhitespace()
        checked.description = change.description?.trimmingWhitespace()
        if let name = checked.name, let problem = nameLimit.problem(with: name) { problems["name"] = problem }
        if let description = checked.description, let problem = descriptionLimit.problem(with: description, required: false) {
            problems["description"] = problem
        }
        if case .some(.some(let capacity)) = change.capacity, !capacityRange.contains(capacity) {
            problems["capacity"] = "must be between \(capacityRange.lowerBound) and \(capacityRange.upperBound), or null"
        }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the packet is not valid", details: problems) }
        return checked
    }

    static let noEvent = AppError(.notFound, "no such event")
    static let noPacket = AppError(.notFound, "no such packet")
}
