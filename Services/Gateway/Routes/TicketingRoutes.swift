import Contracts
import FoundationEssentials
import PlatformAPI
import PlatformCore

/// `/api/events`, `/api/packets`, `/api/tickets`: the event service's resources. Reading events
/// and packets is public; the rest is the event service's to decide from the caller.
extension GatewayAPI {
    // MARK: Events

    func listEvents(_ input: Operations.ListEvents.Input) async throws -> Operations.ListEvents.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        try query.check()
        let result = try await peers.events.listEvents(
            .with {
                if let paging { $0.page = .init(paging) }
                $0.from = input.query.from?.rfc3339 ?? ""
                $0.to = input.query.to?.rfc3339 ?? ""
                $0.search = input.query.search ?? ""
            })
        let items = result.events.map(Components.Schemas.Event.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }

    func createEvent(_ input: Operations.CreateEvent.Input) async throws -> Operations.CreateEvent.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let event = try await peers.events.createEvent(
            .with {
                $0.caller = .current
                $0.name = body.name ?? ""
                $0.location = body.location ?? ""
                $0.description_p = body.description ?? ""
                $0.startsAt = body.startsAt?.rfc3339 ?? ""
                if let capacity = body.capacity { $0.capacity = capacity }
            })
        return .created(.init(body: .json(.init(event))))
    }

    func getEvent(_ input: Operations.GetEvent.Input) async throws -> Operations.GetEvent.Output {
        .ok(.init(body: .json(.init(try await peers.events.getEvent(.with { $0.id = input.path.id })))))
    }

    func updateEvent(_ input: Operations.UpdateEvent.Input) async throws -> Operations.UpdateEvent.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let event = try await peers.events.updateEvent(
            .with {
                $0.caller = .current
                $0.id = input.path.id
                if let name = body.name { $0.name = name }
                if let location = body.location { $0.location = location }
                if let description = body.description { $0.description_p = description }
                if let startsAt = body.startsAt { $0.startsAt = startsAt.rfc3339 }
                if let capacity = body.capacity { $0.capacity = capacity }
            })
        return .ok(.init(body: .json(.init(event))))
    }

    func deleteEvent(_ input: Operations.DeleteEvent.Input) async throws -> Operations.DeleteEvent.Output {
        _ = try await peers.events.deleteEvent(
            .with {
                $0.caller = .current
                $0.id = input.path.id
            })
        return .noContent(.init())
    }

    func listPacketsOfEvent(_ input: Operations.ListPacketsOfEvent.Input) async throws -> Operations.ListPacketsOfEvent.Output {
        let result = try await peers.events.listPacketsOfEvent(.with { $0.id = input.path.id })
        return .ok(.init(body: .json(.init(items: result.packets.map(Components.Schemas.Packet.init)))))
    }

    // MARK: Packets

    func listPackets(_ input: Operations.ListPackets.Input) async throws -> Operations.ListPackets.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        try query.check()
        let result = try await peers.events.listPackets(
            .with {
                if let paging { $0.page = .init(paging) }
                $0.search = input.query.search ?? ""
            })
        let items = result.packets.map(Components.Schemas.Packet.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }

    func createPacket(_ input: Operations.CreatePacket.Input) async throws -> Operations.CreatePacket.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let packet = try await peers.events.createPacket(
            .with {
                $0.caller = .current
                $0.name = body.name ?? ""
                $0.description_p = body.description ?? ""
                if let capacity = body.capacity { $0.capacity = capacity }
                $0.eventIds = body.eventIds ?? []
            })
        return .created(.init(body: .json(.init(packet))))
    }

    func getPacket(_ input: Operations.GetPacket.Input) async throws -> Operations.GetPacket.Output {
        .ok(.init(body: .json(.init(try await peers.events.getPacket(.with { $0.id = input.path.id })))))
    }

    func updatePacket(_ input: Operations.UpdatePacket.Input) async throws -> Operations.UpdatePacket.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let packet = try await peers.events.updatePacket(
            .with {
                $0.caller = .current
                $0.id = input.path.id
                if let name = body.name { $0.name = name }
                if let description = body.description { $0.description_p = description }
                if let capacity = body.capacity { $0.capacity = capacity }
                $0.noCapacity = ExplicitNulls.contains("capacity")
            })
        return .ok(.init(body: .json(.init(packet))))
    }

    func deletePacket(_ input: Operations.DeletePacket.Input) async throws -> Operations.DeletePacket.Output {
        _ = try await peers.events.deletePacket(
            .with {
                $0.caller = .current
                $0.id = input.path.id
            })
        return .noContent(.init())
    }

    func listEventsOfPacket(_ input: Operations.ListEventsOfPacket.Input) async throws -> Operations.ListEventsOfPacket.Output {
        let result = try await peers.events.listEventsOfPacket(.with { $0.id = input.path.id })
        return .ok(.init(body: .json(.init(items: result.events.map(Components.Schemas.Event.init)))))
    }

    func addPacketEvent(_ input: Operations.AddPacketEvent.Input) async throws -> Operations.AddPacketEvent.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let packet = try await peers.events.addPacketEvent(
            .with {
                $0.caller = .current
                $0.packetID = input.path.id
                $0.eventID = body.eventId ?? ""
            })
        return .ok(.init(body: .json(.init(packet))))
    }

    func removePacketEvent(_ input: Operations.RemovePacketEvent.Input) async throws -> Operations.RemovePacketEvent.Output {
        let packet = try await peers.events.removePacketEvent(
            .with {
                $0.caller = .current
                $0.packetID = input.path.id
                $0.eventID = input.path.eventId
            })
        return .ok(.init(body: .json(.init(packet))))
    }

    // MARK: Tickets

    func listTickets(_ input: Operations.ListTickets.Input) async throws -> Operations.ListTickets.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        try query.check()
        let result = try await peers.events.listTickets(
            .with {
                $0.caller = .current
                if let paging { $0.page = .init(paging) }
            })
        let items = result.tickets.map(Components.Schemas.Ticket.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }

    func getTicket(_ input: Operations.GetTicket.Input) async throws -> Operations.GetTicket.Output {
        let ticket = try await peers.events.getTicket(
            .with {
                $0.caller = .current
                $0.code = input.path.code
            })
        return .ok(.init(body: .json(.init(ticket))))
    }

    func cancelTicket(_ input: Operations.CancelTicket.Input) async throws -> Operations.CancelTicket.Output {
        _ = try await peers.events.cancelTicket(
            .with {
                $0.caller = .current
                $0.code = input.path.code
            })
        return .noContent(.init())
    }

    func checkInTicket(_ input: Operations.CheckInTicket.Input) async throws -> Operations.CheckInTicket.Output {
        let ticket = try await peers.events.checkIn(
            .with {
                $0.caller = .current
                $0.code = input.path.code
            })
        return .ok(.init(body: .json(.init(ticket))))
    }
}
