import FoundationEssentials
import PlatformCore
import ServiceFront

// The JSON of the event service's own REST front; the gateway's document describes the same.

struct EventView: Encodable {
    let id: String
    let ownerId: String
    let name: String
    let location: String
    let description: String
    let startsAt: Date
    let capacity: Int64
    let ticketsSold: Int64
    let seatsLeft: Int64
    let createdAt: Date
    let updatedAt: Date

    init(_ event: Event) {
        id = event.id.lowercasedString
        ownerId = event.ownerID.lowercasedString
        name = event.name
        location = event.location
        description = event.description
        startsAt = event.startsAt
        capacity = event.capacity
        ticketsSold = event.ticketsSold
        seatsLeft = event.seatsLeft
        createdAt = event.createdAt
        updatedAt = event.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, location, description, capacity
        case ownerId = "owner_id", startsAt = "starts_at", ticketsSold = "tickets_sold", seatsLeft = "seats_left"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

struct PacketView: Encodable {
    let id: String
    let ownerId: String
    let name: String
    let description: String
    let capacity: Nullable<Int64>
    let eventIds: [String]
    let ticketsSold: Int64
    let seatsLeft: Int64
    let createdAt: Date
    let updatedAt: Date

    init(_ packet: Packet) {
        id = packet.id.lowercasedString
        ownerId = packet.ownerID.lowercasedString
        name = packet.name
        description = packet.description
        capacity = Nullable(packet.capacity)
        eventIds = packet.eventIDs.map(\.lowercasedString)
        ticketsSold = packet.ticketsSold
        seatsLeft = packet.seatsLeft
        createdAt = packet.createdAt
        updatedAt = packet.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, capacity
        case ownerId = "owner_id", eventIds = "event_ids", ticketsSold = "tickets_sold", seatsLeft = "seats_left"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

struct TicketView: Encodable {
    let code: String
    let eventId: Nullable<String>
    let packetId: Nullable<String>
    let holderClientId: String
    let valid: Bool
    let issuedAt: Date
    let cancelledAt: Nullable<Date>
    let checkedInAt: Nullable<Date>

    init(_ ticket: Ticket) {
        code = ticket.code
        eventId = Nullable(ticket.target.eventID?.lowercasedString)
        packetId = Nullable(ticket.target.packetID?.lowercasedString)
        holderClientId = ticket.holderClientID.lowercasedString
        valid = ticket.valid
        issuedAt = ticket.issuedAt
        cancelledAt = Nullable(ticket.cancelledAt)
        checkedInAt = Nullable(ticket.checkedInAt)
    }

    enum CodingKeys: String, CodingKey {
        case code, valid
        case eventId = "event_id", packetId = "packet_id", holderClientId = "holder_client_id", issuedAt = "issued_at"
        case cancelledAt = "cancelled_at", checkedInAt = "checked_in_at"
    }
}

// Request bodies: every field optional, so the domain names each missing one (422).

struct EventBody: Decodable {
    var name: String?
    var location: String?
    var description: String?
    var startsAt: String?
    var capacity: Int64?

    var change: EventChange {
        EventChange(name: name, location: location, description: description, startsAt: startsAt, capacity: capacity)
    }

    enum CodingKeys: String, CodingKey {
        case name, location, description, capacity
        case startsAt = "starts_at"
    }
}

struct PacketBody: Decodable {
    var name: String?
    var description: String?
    var capacity: Patch<Int64>
    var eventIds: [String]?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        capacity = try container.decode(Patch<Int64>.self, forKey: .capacity)
        eventIds = try container.decodeIfPresent([String].self, forKey: .eventIds)
    }

    var change: PacketChange {
        switch capacity {
        case .absent: PacketChange(name: name, description: description)
        case .null: PacketChange(name: name, description: description, capacity: .some(nil))
        case .value(let capacity): PacketChange(name: name, description: description, capacity: .some(capacity))
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, description, capacity
        case eventIds = "event_ids"
    }
}

struct PacketEventBody: Decodable {
    var eventId: String?

    enum CodingKeys: String, CodingKey { case eventId = "event_id" }
}
