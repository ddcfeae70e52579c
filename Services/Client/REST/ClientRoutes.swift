import FoundationEssentials
import HTTPTypes
import Hummingbird
import PlatformAPI
import PlatformCore
import PlatformHTTP
import ServiceFront

/// The client service's own REST front under `/api/clients` (the seed's prefix), over the same
/// registry and ticket sales as its gRPC service: the gateway's `/api/clients` answers alike.
struct ClientRoutes {
    let registry: ClientRegistry
    let sales: TicketSales
    let tokens: TokenIntrospection

    func add(to router: Router<AppRequestContext>) {
        let api = router.group("api/clients").add(middleware: FrontAuthentication(tokens: tokens))
        api.get("me") { _, _ in try FrontJSON.response(ClientView(try await registry.mine(by: try FrontRequester.signedIn()))) }
        api.put("me") { request, _ in
            let requester = try FrontRequester.signedIn()
            let body = try await FrontJSON.decode(ClientBody.self, from: request)
            return try FrontJSON.response(ClientView(try await registry.putMine(body.fields, by: requester)))
        }
        api.post { request, _ in
            let requester = try FrontRequester.signedIn()
            let body = try await FrontJSON.decode(ClientBody.self, from: request)
            return try FrontJSON.response(ClientView(try await registry.create(body.fields, by: requester)), status: .created)
        }
        api.get { request, _ in
            let requester = try FrontRequester.signedIn()
            let query = FrontQuery(request)
            let page = try await registry.list(try query.paging(), search: query["search"], by: requester)
            return try FrontJSON.response(PageView(page, ClientView.init))
        }
        api.get(":id") { _, context in
            try FrontJSON.response(ClientView(try await registry.client(try id(context), by: try FrontRequester.signedIn())))
        }
        api.patch(":id") { request, context in
            let requester = try FrontRequester.signedIn()
            let body = try await FrontJSON.decode(ClientBody.self, from: request)
            return try FrontJSON.response(ClientView(try await registry.update(try id(context), body.fields, by: requester)))
        }
        api.delete(":id") { _, context in
            try await registry.delete(try id(context), by: try FrontRequester.signedIn())
            return FrontJSON.noContent()
        }
        api.get(":id/public") { _, context in try FrontJSON.response(PublicClientView(try await registry.publicView(try id(context)))) }
        api.post(":id/tickets") { request, context in
            let requester = try FrontRequester.signedIn()
            let body = try await FrontJSON.decode(PurchaseBody.self, from: request)
            let ticket = try await sales.buy(
                for: try id(context), try TicketTarget(eventID: body.eventId ?? "", packetID: body.packetId ?? ""),
                idempotencyKey: request.headers[.idempotencyKey], by: requester)
            return try FrontJSON.response(ClientTicketView(ticket), status: .created)
        }
    }

    func id(_ context: AppRequestContext) throws -> String { try context.parameters.require("id") }
}
