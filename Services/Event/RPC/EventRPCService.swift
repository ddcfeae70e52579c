import Contracts
import FoundationEssentials
import GRPCCore
import PlatformCore
import SwiftProtobuf

/// `event.v1.EventService` over the programme and the box office; the rules (who may, what is
/// allowed) are theirs, from each request's `caller`.
public struct EventRPCService: Event_V1_EventService.SimpleServiceProtocol {
    let programme: Programme
    let boxOffice: BoxOffice

    public init(programme: Programme, boxOffice: BoxOffice) {
        self.programme = programme
        self.boxOffice = boxOffice
    }

    // MARK: Events

    public func listEvents(request: Event_V1_ListEventsRequest, context: ServerContext) async throws
        -> Event_V1_ListEventsResponse
    {
        let page = try await programme.events(
            try EventQuery(paging: try PageRequest(request.page), from: request.from, to: request.to, search: request.search))
        return .with {
            $0.events = page.items.map(Event_V1_Event.init)
            $0.page = .init(page)
        }
    }

    public func getEvent(request: Event_V1_GetEventRequest, context: ServerContext) async throws -> Event_V1_Event {
        .init(try await programme.event(request.id))
    }

    public func createEvent(request: Event_V1_CreateEventRequest, context: ServerContext) async throws -> Event_V1_Event {
        .init(
            try await programme.createEvent(
                EventChange(
                    name: request.name.nonEmpty, location: request.location.nonEmpty, description: request.description_p,
                    startsAt: request.startsAt.nonEmpty, capacity: request.hasCapacity ? request.capacity : nil),
                by: Requester(request.caller)))
    }

    public func updateEvent(request: Event_V1_UpdateEventRequest, context: ServerContext) async throws -> Event_V1_Event {
        let change = EventChange(
            name: request.hasName ? request.name : nil, location: request.hasLocation ? request.location : nil,
            description: request.hasDescription_p ? request.description_p : nil,
            startsAt: request.hasStartsAt ? request.startsAt : nil, capacity: request.hasCapacity ? request.capacity : nil)
        return .init(try await programme.updateEvent(request.id, change, by: Requester(request.caller)))
    }

    public func deleteEvent(request: Event_V1_DeleteEventRequest, context: ServerContext) async throws
        -> Event_V1_DeleteResponse
    {
        try await programme.deleteEvent(request.id, by: Requester(request.caller))
        return .init()
    }

    public func listPacketsOfEvent(request: Event_V1_GetEventRequest, context: ServerContext) async throws
        -> Event_V1_ListPacketsResponse
    {
        let packets = try await programme.packets(ofEvent: request.id)
        return .with { $0.packets = packets.map(Event_V1_Packet.init) }
    }

    // MARK: Packets

    public func listPackets(request: Event_V1_ListPacketsRequest, context: ServerContext) async throws
        -> Event_V1_ListPacketsResponse
    {
        let page = try await programme.packets(try PageRequest(request.page), search: request.search.nonEmpty)
        return .with {
            $0.packets = page.items.map(Event_V1_Packet.init)
            $0.page = .init(page)
        }
    }

    public func getPacket(request: Event_V1_GetPacketRequest, context: ServerContext) async throws -> Event_V1_Packet {
        .init(try await programme.packet(request.id))
    }

    public func createPacket(request: Event_V1_CreatePacketRequest, context: ServerContext) async throws -> Event_V1_Packet {
        let change = PacketChange(
            name: request.name, description: request.description_p, capacity: .some(request.hasCapacity ? request.capacity : nil))
        return .init(try await programme.createPacket(change, eventIDs: request.eventIds, by: Requester(request.caller)))
    }

    public func updatePacket(request: Event_V1_UpdatePacketRequest, context: ServerContext) async throws -> Event_V1_Packet {
        var change = PacketChange(
            name: request.hasName ? request.name : nil, description: request.hasDescription_p ? request.description_p : nil)
        if request.noCapacity {
            change.capacity = .some(nil)
        } else if request.hasCapacity {
            change.capacity = .some(request.capacity)
        }
        return .init(try await programme.updatePacket(request.id, change, by: Requester(request.caller)))
    }

    public func deletePacket(request: Event_V1_DeletePacketRequest, context: ServerContext) async throws
        -> Event_V1_DeleteResponse
    {
        try await programme.deletePacket(request.id, by: Requester(request.caller))
        return .init()
    }

    public func addPacketEvent(request: Event_V1_PacketEventRequest, context: ServerContext) async throws -> Event_V1_Packet {
        .init(
            try await programme.changeMembership(
                packet: request.packetID, event: request.eventID, adding: true, by: Requester(request.caller)))
    }

    public func removePacketEvent(request: Event_V1_PacketEventRequest, context: ServerContext) async throws
        -> Event_V1_Packet
    {
        .init(
            try await programme.changeMembership(
                packet: request.packetID, event: request.eventID, adding: false, by: Requester(request.caller)))
    }

    public func listEventsOfPacket(request: Event_V1_GetPacketRequest, context: ServerContext) async throws
        -> Event_V1_ListEventsResponse
    {
        let events = try await programme.events(ofPacket: request.id)
        return .with { $0.events = events.map(Event_V1_Event.init) }
    }

    // MARK: Tickets

    public func issueTicket(request: Event_V1_IssueTicketRequest, context: ServerContext) async throws -> Event_V1_Ticket {
        .init(
            try await boxOffice.issue(
                try TicketTarget(eventID: request.eventID, packetID: request.packetID), holderClientID: request.holderClientID,
                holderUserID: request.holderUserID.nonEmpty, idempotencyKey: request.idempotencyKey.nonEmpty,
                by: Requester(request.caller)))
    }

    public func getTicket(request: Event_V1_TicketRequest, context: ServerContext) async throws -> Event_V1_Ticket {
        .init(try await boxOffice.ticket(request.code, by: Requester(request.caller)))
    }

    public func listTickets(request: Event_V1_ListTicketsRequest, context: ServerContext) async throws
        -> Event_V1_ListTicketsResponse
    {
        let page = try await boxOffice.tickets(try PageRequest(request.page), by: Requester(request.caller))
        return .with {
            $0.tickets = page.items.map(Event_V1_Ticket.init)
            $0.page = .init(page)
        }
    }

    public func cancelTicket(request: Event_V1_TicketRequest, context: ServerContext) async throws -> Event_V1_Ticket {
        .init(try await boxOffice.cancel(request.code, by: Requester(request.caller)))
    }

    public func checkIn(request: Event_V1_TicketRequest, context: ServerContext) async throws -> Event_V1_Ticket {
        .init(try await boxOffice.checkIn(request.code, by: Requester(request.caller)))
    }
}

extension Event_V1_Event {
    init(_ event: Event) {
        self = .with {
            $0.id = event.id.lowercasedString
            $0.ownerID = event.ownerID.lowercasedString
            $0.name = event.name
            $0.location = event.location
            $0.description_p = event.description
            $0.startsAt = .init(date: event.startsAt)
            $0.capacity = event.capacity
            $0.ticketsSold = event.ticketsSold
            $0.seatsLeft = event.seatsLeft
            $0.createdAt = .init(date: event.createdAt)
            $0.updatedAt = .init(date: event.updatedAt)
        }
    }
}

extension Event_V1_Packet {
    init(_ packet: Packet) {
        self = .with {
            $0.id = packet.id.lowercasedString
            $0.ownerID = packet.ownerID.lowercasedString
            $0.name = packet.name
            $0.description_p = packet.description
            if let capacity = packet.capacity { $0.capacity = capacity }
            $0.eventIds = packet.eventIDs.map(\.lowercasedString)
            $0.ticketsSold = packet.ticketsSold
            $0.seatsLeft = packet.seatsLeft
            $0.createdAt = .init(date: packet.createdAt)
            $0.updatedAt = .init(date: packet.updatedAt)
        }
    }
}

extension Event_V1_Ticket {
    init(_ ticket: Ticket) {
        self = .with {
            $0.code = ticket.code
            switch ticket.target {
            case .event(let id): $0.eventID = id.lowercasedString
            case .packet(let id): $0.packetID = id.lowercasedString
            }
            $0.holderClientID = ticket.holderClientID.lowercasedString
            $0.valid = ticket.valid
            $0.issuedAt = .init(date: ticket.issuedAt)
            if let cancelledAt = ticket.cancelledAt { $0.cancelledAt = .init(date: cancelledAt) }
            if let checkedInAt = ticket.checkedInAt { $0.checkedInAt = .init(date: checkedInAt) }
        }
    }
}
