import Contracts
import FoundationEssentials
import PlatformAPI
import PlatformCore

/// `/api/clients`: the client service's profiles and purchases. Only the public view is open;
/// whose profile is whose is the client service's to decide from the caller.
extension GatewayAPI {
    func getMyClient(_ input: Operations.GetMyClient.Input) async throws -> Operations.GetMyClient.Output {
        .ok(.init(body: .json(.init(try await peers.clients.getMyClient(.with { $0.caller = .current })))))
    }

    func putMyClient(_ input: Operations.PutMyClient.Input) async throws -> Operations.PutMyClient.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let client = try await peers.clients.putMyClient(
            .with {
                $0.caller = .current
                $0.fields = .init(body)
            })
        return .ok(.init(body: .json(.init(client))))
    }

    func listClients(_ input: Operations.ListClients.Input) async throws -> Operations.ListClients.Output {
        var query = QueryValues()
        let paging = query.paging(page: input.query.page, pageSize: input.query.pageSize)
        try query.check()
        let result = try await peers.clients.listClients(
            .with {
                $0.caller = .current
                if let paging { $0.page = .init(paging) }
                $0.search = input.query.search ?? ""
            })
        let items = result.clients.map(Components.Schemas.Client.init)
        return .ok(.init(body: .json(.init(value1: .init(result.page), value2: .init(items: items)))))
    }

    func createClient(_ input: Operations.CreateClient.Input) async throws -> Operations.CreateClient.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let client = try await peers.clients.createClient(
            .with {
                $0.caller = .current
                $0.fields = .init(body)
            })
        return .created(.init(body: .json(.init(client))))
    }

    func getClient(_ input: Operations.GetClient.Input) async throws -> Operations.GetClient.Output {
        let client = try await peers.clients.getClient(
            .with {
                $0.caller = .current
                $0.id = input.path.id
            })
        return .ok(.init(body: .json(.init(client))))
    }

    func updateClient(_ input: Operations.UpdateClient.Input) async throws -> Operations.UpdateClient.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let client = try await peers.clients.updateClient(
            .with {
                $0.caller = .current
                $0.id = input.path.id
                $0.fields = .init(body)
            })
        return .ok(.init(body: .json(.init(client))))
    }

    func deleteClient(_ input: Operations.DeleteClient.Input) async throws -> Operations.DeleteClient.Output {
        _ = try await peers.clients.deleteClient(
            .with {
                $0.caller = .current
                $0.id = input.path.id
            })
        return .noContent(.init())
    }

    func getPublicClient(_ input: Operations.GetPublicClient.Input) async throws -> Operations.GetPublicClient.Output {
        .ok(.init(body: .json(.init(try await peers.clients.getPublicClient(.with { $0.id = input.path.id })))))
    }

    func buyTicket(_ input: Operations.BuyTicket.Input) async throws -> Operations.BuyTicket.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let ticket = try await peers.clients.buyTicket(
            .with {
                $0.caller = .current
                $0.clientID = input.path.id
                $0.eventID = body.eventId ?? ""
                $0.packetID = body.packetId ?? ""
                $0.idempotencyKey = input.headers.idempotencyKey ?? ""
            })
        return .created(.init(body: .json(.init(ticket))))
    }
}

extension Client_V1_ClientFields {
    /// The body's fields; those it set to `null` are named in `cleared`.
    init(_ body: Components.Schemas.ClientFields) {
        self = .with {
            if let email = body.email { $0.email = email }
            if let first = body.firstName { $0.firstName = first }
            if let last = body.lastName { $0.lastName = last }
            if let isNamePublic = body.isNamePublic { $0.isNamePublic = isNamePublic }
            if let links = body.socialLinks { $0.socialLinks = .with { $0.links = links.additionalProperties } }
            if let isSocialPublic = body.isSocialPublic { $0.isSocialPublic = isSocialPublic }
            $0.cleared = ["first_name", "last_name", "social_links"].filter(ExplicitNulls.contains)
        }
    }
}
