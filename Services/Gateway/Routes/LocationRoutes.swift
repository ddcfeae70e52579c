import Contracts
import PlatformAPI
import PlatformCore

/// `/api/locations`: the cafés, public to read (the terminal login screen lists them), admins to
/// change. No answer carries an access code: product's messages have no field for one.
extension GatewayAPI {
    func listLocations(_ input: Operations.ListLocations.Input) async throws -> Operations.ListLocations.Output {
        let result = try await peers.products.listLocations(.init())
        return .ok(.init(body: .json(.init(items: result.locations.map(Components.Schemas.Location.init)))))
    }

    func getLocation(_ input: Operations.GetLocation.Input) async throws -> Operations.GetLocation.Output {
        .ok(.init(body: .json(.init(try await peers.products.getLocation(.with { $0.id = input.path.id })))))
    }

    func createLocation(_ input: Operations.CreateLocation.Input) async throws -> Operations.CreateLocation.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let location = try await peers.products.createLocation(
            .with {
                $0.name = body.name ?? ""
                $0.address = body.address ?? ""
                $0.accessCode = body.accessCode ?? ""
            })
        return .created(.init(body: .json(.init(location))))
    }

    func updateLocation(_ input: Operations.UpdateLocation.Input) async throws -> Operations.UpdateLocation.Output {
        guard case .json(let body) = input.body else { throw unsupportedBody }
        let location = try await peers.products.updateLocation(
            .with {
                $0.id = input.path.id
                if let name = body.name { $0.name = name }
                if let address = body.address { $0.address = address }
                if let code = body.accessCode { $0.accessCode = code }
                if let active = body.active { $0.active = active }
            })
        return .ok(.init(body: .json(.init(location))))
    }

    func deactivateLocation(_ input: Operations.DeactivateLocation.Input) async throws -> Operations.DeactivateLocation.Output {
        _ = try await peers.products.deactivateLocation(.with { $0.id = input.path.id })
        return .noContent(.init())
    }
}
