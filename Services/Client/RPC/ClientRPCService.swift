import Contracts
import FoundationEssentials
import GRPCCore
import PlatformCore
import SwiftProtobuf

/// `client.v1.ClientService` over the registry and ticket sales; the rules are theirs, from
/// each request's `caller`.
public struct ClientRPCService: Client_V1_ClientService.SimpleServiceProtocol {
    let registry: ClientRegistry
    let sales: TicketSales

    public init(registry: ClientRegistry, sales: TicketSales) {
        self.registry = registry
        self.sales = sales
    }

    public func getMyClient(request: Client_V1_MyClientRequest, context: ServerContext) async throws -> Client_V1_Client {
        .init(try await registry.mine(by: Requester(request.caller)))
    }

    public func putMyClient(request: Client_V1_PutMyClientRequest, context: ServerContext) async throws -> Client_V1_Client {
        .init(try await registry.putMine(ClientFields(request.fields), by: Requester(request.caller)))
    }

    public func createClient(request: Client_V1_CreateClientRequest, context: ServerContext) async throws -> Client_V1_Client {
        .init(try await registry.create(ClientFields(request.fields), by: Requester(request.caller)))
    }

    public func listClients(request: Client_V1_ListClientsRequest, context: ServerContext) async throws
        -> Client_V1_ListClientsResponse
    {
        let page = try await registry.list(
            try PageRequest(request.page), search: request.search.nonEmpty, by: Requester(request.caller))
        return .with {
            $0.clients = page.items.map(Client_V1_Client.init)
            $0.page = .init(page)
        }
    }

    public func getClient(request: Client_V1_ClientRequest, context: ServerContext) async throws -> Client_V1_Client {
        .init(try await registry.client(request.id, by: Requester(request.caller)))
    }

    public func updateClient(request: Client_V1_UpdateClientRequest, context: ServerContext) async throws -> Client_V1_Client {
        .init(try await registry.update(request.id, ClientFields(request.fields), by: Requester(request.caller)))
    }

    public func deleteClient(request: Client_V1_ClientRequest, context: ServerContext) async throws
        -> Client_V1_DeleteClientResponse
    {
        try await registry.delete(request.id, by: Requester(request.caller))
        return .init()
    }

    public func getPublicClient(request: Client_V1_ClientRequest, context: ServerContext) async throws
        -> Client_V1_PublicClient
    {
        let view = try await registry.publicView(request.id)
        return .with {
            $0.id = view.id.lowercasedString
            if let first = view.firstName { $0.firstName = first }
            if let last = view.lastName { $0.lastName = last }
            if let links = view.socialLinks { $0.socialLinks = .with { $0.links = links } }
        }
    }

    public func buyTicket(request: Client_V1_BuyTicketRequest, context: ServerContext) async throws -> Client_V1_ClientTicket {
        .init(
            try await sales.buy(
                for: request.clientID, try TicketTarget(eventID: request.eventID, packetID: request.packetID),
                idempotencyKey: request.idempotencyKey.nonEmpty, by: Requester(request.caller)))
    }
}

extension ClientFields {
    init(_ message: Client_V1_ClientFields) {
        let cleared = Set(message.cleared)
        func text(_ name: String, _ has: Bool, _ value: String) -> String?? {
            cleared.contains(name) ? .some(nil) : has ? .some(value) : nil
        }
        self.init(
            email: message.hasEmail ? message.email : nil,
            firstName: text("first_name", message.hasFirstName, message.firstName),
            lastName: text("last_name", message.hasLastName, message.lastName),
            isNamePublic: message.hasIsNamePublic ? message.isNamePublic : nil,
            socialLinks: cleared.contains("social_links") ? .some(nil) : message.hasSocialLinks ? .some(message.socialLinks.links) : nil,
            isSocialPublic: message.hasIsSocialPublic ? message.isSocialPublic : nil)
    }
}

extension Client_V1_Client {
    init(_ client: Client) {
        self = .with {
            $0.id = client.id.lowercasedString
            $0.userID = client.userID?.lowercasedString ?? ""
            $0.email = client.email
            if let first = client.firstName { $0.firstName = first }
            if let last = client.lastName { $0.lastName = last }
            $0.isNamePublic = client.isNamePublic
            if let links = client.socialLinks { $0.socialLinks = .with { $0.links = links } }
            $0.isSocialPublic = client.isSocialPublic
            $0.tickets = client.tickets.map(Client_V1_ClientTicket.init)
            $0.createdAt = .init(date: client.createdAt)
            $0.updatedAt = .init(date: client.updatedAt)
        }
    }
}

extension Client_V1_ClientTicket {
    init(_ ticket: ClientTicket) {
        self = .with {
            $0.code = ticket.code
            switch ticket.target {
            case .event(let id): $0.eventID = id.lowercasedString
            case .packet(let id): $0.packetID = id.lowercasedString
            }
            $0.purchasedAt = .init(date: ticket.purchasedAt)
        }
    }
}
