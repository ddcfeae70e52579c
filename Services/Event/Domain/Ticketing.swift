import FoundationEssentials
import PlatformCore

/// Something people attend, with a number of seats.
public struct Event: Sendable, Equatable {
    public var id: UUID
    public var ownerID: UUID
    public var name: String
    public var location: String
    public var description: String
    public var startsAt: Date
    public var capacity: Int64
    /// Valid tickets holding one of its seats, its own and those of the packets it is in.
    public var ticketsSold: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public var seatsLeft: Int64 { max(capacity - ticketsSold, 0) }
}

/// A bundle of events sold as one ticket, which holds a seat of each.
public struct Packet: Sendable, Equatable {
    public var id: UUID
    public var ownerID: UUID
    public var name: String
    public var description: String
    /// Nil: only its events limit it.
    public var capacity: Int64?
    public var ticketsSold: Int64
    public var eventIDs: [UUID]
    /// The least of its own remaining seats and each event's; 0 with no events.
    public var seatsLeft: Int64
    public var createdAt: Date
    public var updatedAt: Date
}

public struct Ticket: Sendable, Equatable {
    public var code: String
    public var target: TicketTarget
    public var holderClientID: UUID
    public var holderUserID: UUID?
    public var valid: Bool
    public var issuedAt: Date
    public var cancelledAt: Date?
    public var checkedInAt: Date?
}

/// The fields of an event a create sets or an update changes (nil: left alone).
public struct EventChange: Sendable, Equatable {
    public var name: String?
    public var location: String?
    public var description: String?
    public var startsAt: String?
    public var capacity: Int64?

    public init(
        name: String? = nil, location: String? = nil, description: String? = nil, startsAt: String? = nil,
        capacity: Int64? = nil
    ) {
        self.name = name
        self.location = location
        self.description = description
        self.startsAt = startsAt
        self.capacity = capacity
    }
}

/// The fields of a packet a create sets or an update changes (nil: left alone).
public struct PacketChange: Sendable, Equatable {
    public var name: String?
    public var description: String?
    /// `.some(nil)` clears the capacity.
    public var capacity: Int64??

    public init(name: String? = nil, description: String? = nil, capacity: Int64?? = nil) {
        self.name = name
        self.description = description
        self.capacity = capacity
    }
}

public struct EventQuery: Sendable, Equatable {
    public var paging: PageRequest
    public var from: Date?
    public var to: Date?
    public var search: String?

    public init(paging: PageRequest, from: Date? = nil, to: Date? = nil, search: String? = nil) {
        self.paging = paging
        self.from = from
        self.to = to
        self.search = search
    }

    /// The bounds as requests give them (RFC 3339, empty or nil for none); 422 naming a bad one.
    public init(paging: PageRequest, from: String?, to: String?, search: String?) throws(AppError) {
        var problems: [String: String] = [:]
        func time(_ name: String, _ text: String?) -> Date? {
            guard let text = text?.nonEmpty else { return nil }
            guard let date = Date(rfc3339: text) else {
                problems[name] = "must be an RFC 3339 time"
                return nil
            }
            return date
        }
        self.init(paging: paging, from: time("from", from), to: time("to", to), search: search?.nonEmpty)
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the query is not valid", details: problems) }
    }
}
