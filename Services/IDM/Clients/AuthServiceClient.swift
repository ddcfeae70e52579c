import Contracts
import FoundationEssentials
import GRPCCore
import PlatformCore
import PlatformRPC

/// `CredentialVerifier` over auth's gRPC contract.
struct AuthServiceClient: CredentialVerifier {
    let client: any Auth_V1_AuthService.ClientProtocol

    func verify(email: String, password: String) async throws -> AccountInfo {
        let account = try await AppError.mappingRPCErrors {
            try await client.verifyCredentials(.with { $0.email = email; $0.password = password })
        }
        return try AccountInfo(account)
    }

    func account(userID: UUID) async throws -> AccountInfo? {
        do {
            let account = try await AppError.mappingRPCErrors {
                try await client.getAccount(.with { $0.userID = userID.lowercasedString })
            }
            return try AccountInfo(account)
        } catch let error as AppError where error.code == .notFound {
            return nil
        }
    }
}

extension AccountInfo {
    init(_ account: Auth_V1_Account) throws {
        guard let id = UUID(uuidString: account.userID) else { throw AppError(.internal, "auth answered a bad user id") }
        self.init(userID: id, email: account.email, roles: account.roles, active: account.active, version: account.version)
    }
}
