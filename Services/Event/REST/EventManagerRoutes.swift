import FoundationEssentials
import Hummingbird
import PlatformAPI
import PlatformCore
import PlatformHTTP
import ServiceFront

/// The event service's own REST front under `/api/event-manager` (the seed's paths), over the
/// same programme and box office as its gRPC service: the gateway's `/api/events`, `/api/packets`
/// and `/api/tickets` answer alike.
struct EventManagerRoutes {
    let programme: Programme
    let boxOffice: BoxOffice
    let tokens: TokenIntrospection

    func add(to router: Router<AppRequestContext>) {
        let api = router.group("api/event-manager").add(middleware: FrontAuthentication(tokens: tokens))
        api.get("events", use: listEvents)
        api.post("events", use: createEvent)
        api.get("events/:id") { _, context in try FrontJSON.response(EventView(try await programme.event(try id(context)))) }
        api.patch("events/:id", use: updateEvent)
        api.delete("events/:id") { _, context in
            try await programme.deleteEvent(try id(context), by: try FrontRequester.signedIn())
            return FrontJSON.noContent()
        }
        api.get("events/:id/event-packets") { _, context in
            try FrontJSON.response(ListView(try await programme.packets(ofEvent: try id(context)).map(PacketView.init)))
        }

        api.get("event-packets", use: listPackets)
        api.post("event-packets", use: createPacket)
        api.get("event-packets/:id") { _, context in try FrontJSON.response(PacketView(try await programme.packet(try id(context)))) }
        api.patch("event-packets/:id", use: updatePacket)
        api.delete("event-packets/:id") { _, context in
            try await programme.deletePacket(try id(context), by: try FrontRequester.signedIn())
            return FrontJSON.noContent()
        }
        api.get("event-packets/:id/events") { _, context in
            try FrontJSON.response(ListView(try await programme.events(ofPacket: try id(context)).map(EventView.init)))
        }
        api.post("event-packets/:id/events", use: addPacketEvent)
        api.delete("event-packets/:id/events/:event_id") { _, context in
            let packet = try await programme.changeMembership(
                packet: try id(context), event: try context.parameters.require("event_id"), adding: false,
                by: try FrontRequester.signedIn())
            return try FrontJSON.response(PacketView(packet))
        }

        api.get("tickets", use: listTickets)
        api.get("tickets/:code") { _, context in
            try FrontJSON.response(TicketView(try await boxOffice.ticket(try code(context), by: try FrontRequester.signedIn())))
        }
        api.delete("tickets/:code") { _, context in
            _ = try await boxOffice.cancel(try code(context), by: try FrontRequester.signedIn())
            return FrontJSON.noContent()
        }
        api.post("tickets/:code/check-in") { _, context in
            try FrontJSON.response(TicketView(try await boxOffice.checkIn(try code(context), by: try FrontRequester.signedIn())))
        }
    }

    // MARK: Events

    @Sendable func listEvents(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = FrontQuery(request)
        let page = try await programme.events(
            try EventQuery(paging: try query.paging(), from: query["from"], to: query["to"], search: query["search"]))
        return try FrontJSON.response(PageView(page, EventView.init))
    }

    @Sendable func createEvent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let requester = try FrontRequester.signedIn()
        let body = try await FrontJSON.decode(EventBody.self, from: request)
        return try FrontJSON.response(EventView(try await programme.createEvent(body.change, by: requester)), status: .created)
    }

    @Sendable func updateEvent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let requester = try FrontRequester.signedIn()
        let body = try await FrontJSON.decode(EventBody.self, from: request)
        return try FrontJSON.response(EventView(try await programme.updateEvent(try id(context), body.change, by: requester)))
    }

    // MARK: Packets

    @Sendable func listPackets(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = FrontQuery(request)
        let page = try await programme.packets(try query.paging(), search: query["search"])
        return try FrontJSON.response(PageView(page, PacketView.init))
    }

    @Sendable func createPacket(_ request: Request, context: AppRequestContext) async throws -> Response {
        let requester = try FrontRequester.signedIn()
        let body = try await FrontJSON.decode(PacketBody.self, from: request)
        let packet = try await programme.createPacket(body.change, eventIDs: body.eventIds ?? [], by: requester)
        return try FrontJSON.response(PacketView(packet), status: .created)
    }

    @Sendable func updatePacket(_ request: Request, context: AppRequestContext) async throws -> Response {
        let requester = try FrontRequester.signedIn()
        let body = try await FrontJSON.decode(PacketBody.self, from: request)
        return try FrontJSON.response(PacketView(try await programme.updatePacket(try id(context), body.change, by: requester)))
    }

    @Sendable func addPacketEvent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let requester = try FrontRequester.signedIn()
        let body = try await FrontJSON.decode(PacketEventBody.self, from: request)
        guard let event = body.eventId else {
            throw AppError(.invalidArgument, "the event is missing", details: ["event_id": "is required"])
        }
        let packet = try await programme.changeMembership(packet: try id(context), event: event, adding: true, by: requester)
        return try FrontJSON.response(PacketView(packet))
    }

    // MARK: Tickets

    @Sendable func listTickets(_ request: Request, context: AppRequestContext) async throws -> Response {
        let requester = try FrontRequester.signedIn()
        let paging = try FrontQuery(request).paging()
        return try FrontJSON.response(PageView(try await boxOffice.tickets(paging, by: requester), TicketView.init))
    }

    func id(_ context: AppRequestContext) throws -> String { try context.parameters.require("id") }
    func code(_ context: AppRequestContext) throws -> String { try context.parameters.require("code") }
}
