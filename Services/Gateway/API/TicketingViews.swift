import Contracts
import FoundationEssentials
import SwiftProtobuf

// The JSON shapes of events, packets, tickets and clients, from the services' messages. Nullable
// fields are written as `null` (the synthesized encoding would leave the key out), as the event
// and client services' own fronts write them.

extension Components.Schemas.Event {
    init(_ event: Event_V1_Event) {
        self.init(
            id: event.id, ownerId: event.ownerID, name: event.name, location: event.location, description: event.description_p,
            startsAt: event.startsAt.date, capacity: event.capacity, ticketsSold: event.ticketsSold, seatsLeft: event.seatsLeft,
            createdAt: event.createdAt.date, updatedAt: event.updatedAt.date)
    }
}

extension Components.Schemas.Packet {
    init(_ packet: Event_V1_Packet) {
        self.init(
            id: packet.id, ownerId: packet.ownerID, name: packet.name, description: packet.description_p,
            capacity: packet.hasCapacity ? packet.capacity : nil, eventIds: packet.eventIds, ticketsSold: packet.ticketsSold,
            seatsLeft: packet.seatsLeft, createdAt: packet.createdAt.date, updatedAt: packet.updatedAt.date)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(ownerId, forKey: .ownerId)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(capacity, forKey: .capacity)
        try container.encode(eventIds, forKey: .eventIds)
        try container.encode(ticketsSold, forKey: .ticketsSold)
        try container.encode(seatsLeft, forKey: .seatsLeft)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension Components.Schemas.Ticket {
    init(_ ticket: Event_V1_Ticket) {
        self.init(
            code: ticket.code, eventId: ticket.eventID.nonEmpty, packetId: ticket.packetID.nonEmpty,
            holderClientId: ticket.holderClientID, valid: ticket.valid, issuedAt: ticket.issuedAt.date,
            cancelledAt: ticket.hasCancelledAt ? ticket.cancelledAt.date : nil,
            checkedInAt: ticket.hasCheckedInAt ? ticket.checkedInAt.date : nil)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(packetId, forKey: .packetId)
        try container.encode(holderClientId, forKey: .holderClientId)
        try container.encode(valid, forKey: .valid)
        try container.encode(issuedAt, forKey: .issuedAt)
        try container.encode(cancelledAt, forKey: .cancelledAt)
        try container.encode(checkedInAt, forKey: .checkedInAt)
    }
}

extension Components.Schemas.Client {
    init(_ client: Client_V1_Client) {
        self.init(
            id: client.id, userId: client.userID.nonEmpty, email: client.email,
            firstName: client.hasFirstName ? client.firstName : nil, lastName: client.hasLastName ? client.lastName : nil,
            isNamePublic: client.isNamePublic,
            socialLinks: client.hasSocialLinks ? .init(additionalProperties: client.socialLinks.links) : nil,
            isSocialPublic: client.isSocialPublic, tickets: client.tickets.map(Components.Schemas.ClientTicket.init),
            createdAt: client.createdAt.date, updatedAt: client.updatedAt.date)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(userId, forKey: .userId)
        try container.encode(email, forKey: .email)
        try container.encode(firstName, forKey: .firstName)
        try container.encode(lastName, forKey: .lastName)
        try container.encode(isNamePublic, forKey: .isNamePublic)
        try container.encode(socialLinks, forKey: .socialLinks)
        try container.encode(isSocialPublic, forKey: .isSocialPublic)
        try container.encode(tickets, forKey: .tickets)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

extension Components.Schemas.ClientTicket {
    init(_ ticket: Client_V1_ClientTicket) {
        self.init(
            code: ticket.code, eventId: ticket.eventID.nonEmpty, packetId: ticket.packetID.nonEmpty,
            purchasedAt: ticket.purchasedAt.date)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(packetId, forKey: .packetId)
        try container.encode(purchasedAt, forKey: .purchasedAt)
    }
}

extension Components.Schemas.PublicClient {
    init(_ client: Client_V1_PublicClient) {
        self.init(
            id: client.id, firstName: client.hasFirstName ? client.firstName : nil,
            lastName: client.hasLastName ? client.lastName : nil,
            socialLinks: client.hasSocialLinks ? .init(additionalProperties: client.socialLinks.links) : nil)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(firstName, forKey: .firstName)
        try container.encode(lastName, forKey: .lastName)
        try container.encode(socialLinks, forKey: .socialLinks)
    }
}
