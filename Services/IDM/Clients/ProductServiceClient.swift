import Contracts
import FoundationEssentials
import PlatformCore
import PlatformRPC

/// `LocationVerifier` over product's gRPC contract.
struct ProductServiceClient: LocationVerifier {
    let client: any Product_V1_ProductService.ClientProtocol

    func verifyAccess(location: String, code: String) async throws -> UUID {
        let café = try await AppError.mappingRPCErrors {
            try await client.verifyLocationAccess(.with { $0.locationID = location; $0.accessCode = code })
        }
        guard let id = UUID(uuidString: café.id) else { throw AppError(.internal, "product answered a bad café id") }
        return id
    }
}
