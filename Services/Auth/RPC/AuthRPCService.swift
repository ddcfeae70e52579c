import Contracts
import GRPCCore
import PlatformCore

/// `auth.v1.AuthService` over the credential rules; called by idm (verify, account) and the gateway (change password).
public struct AuthRPCService: Auth_V1_AuthService.SimpleServiceProtocol {
    let credentials: CredentialRegistry

    public init(credentials: CredentialRegistry) { self.credentials = credentials }

    public func verifyCredentials(request: Auth_V1_VerifyCredentialsRequest, context: ServerContext) async throws -> Auth_V1_Account {
        .init(try await credentials.verify(email: request.email, password: request.password))
    }

    public func changePassword(request: Auth_V1_ChangePasswordRequest, context: ServerContext) async throws -> Auth_V1_ChangePasswordResponse {
        try await credentials.changePassword(userID: request.userID, current: request.currentPassword, new: request.newPassword)
        return .init()
    }

    public func getAccount(request: Auth_V1_GetAccountRequest, context: ServerContext) async throws -> Auth_V1_Account {
        .init(try await credentials.account(userID: request.userID))
    }
}

extension Auth_V1_Account {
    init(_ credential: Credential) {
        self = .with {
            $0.userID = credential.userID.lowercasedString
            $0.email = credential.email
            $0.roles = credential.roles
            $0.active = credential.active
            $0.version = credential.sourceVersion
        }
    }
}
