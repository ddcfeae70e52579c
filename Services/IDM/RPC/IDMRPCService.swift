import AccessTokens
import Contracts
import FoundationEssentials
import GRPCCore
import PlatformCore
import SwiftProtobuf

/// `idm.v1.IDMService`. Session RPCs trust the user id they are given: only the gateway, which
/// took it from a verified token, calls them.
public struct IDMRPCService: Idm_V1_IDMService.SimpleServiceProtocol {
    let sessions: SessionRegistry

    public init(sessions: SessionRegistry) { self.sessions = sessions }

    public func login(request: Idm_V1_LoginRequest, context: ServerContext) async throws -> Idm_V1_LoginResponse {
        .init(
            try await sessions.login(
                email: request.email, password: request.password,
                client: ClientInfo(address: request.clientAddress, userAgent: request.userAgent)))
    }

    public func terminalLogin(request: Idm_V1_TerminalLoginRequest, context: ServerContext) async throws
        -> Idm_V1_LoginResponse
    {
        .init(
            try await sessions.terminalLogin(
                location: request.locationID, code: request.accessCode,
                client: ClientInfo(address: request.clientAddress, userAgent: request.userAgent)))
    }

    public func validateToken(request: Idm_V1_TokenRequest, context: ServerContext) async throws -> Idm_V1_ValidateTokenResponse {
        do {
            let claims = try await sessions.validate(request.token)
            return .with {
                $0.valid = true
                $0.userID = claims.userID
                $0.email = claims.email
                $0.roles = claims.roles
                $0.role = Role.primary(of: claims.roles)
                $0.sessionID = claims.sid
                $0.expiresAt = Google_Protobuf_Timestamp(date: claims.expiresAt)
                $0.locationID = claims.locationID ?? ""
                $0.message = "ok"
            }
        } catch let rejection as TokenRejection {
            return .with {
                $0.valid = false
                $0.message = rejection.message
            }
        }
    }

    public func logout(request: Idm_V1_TokenRequest, context: ServerContext) async throws -> Idm_V1_LogoutResponse {
        do {
            let revoked = try await sessions.logout(request.token)
            return .with {
                $0.success = true
                $0.message = revoked ? "logged out" : "the session had already ended"
            }
        } catch let rejection as TokenRejection {
            return .with {
                $0.success = false
                $0.message = rejection.message
            }
        }
    }

    public func refresh(request: Idm_V1_RefreshRequest, context: ServerContext) async throws -> Idm_V1_LoginResponse {
        .init(
            try await sessions.refresh(
                request.refreshToken, client: ClientInfo(address: request.clientAddress, userAgent: request.userAgent)))
    }

    public func listSessions(request: Idm_V1_ListSessionsRequest, context: ServerContext) async throws -> Idm_V1_ListSessionsResponse {
        let active = try await sessions.activeSessions(userID: request.userID)
        let current = request.currentSessionID.lowercased()
        return .with {
            $0.sessions = active.map { session in
                .with {
                    $0.id = session.id.lowercasedString
                    $0.createdAt = Google_Protobuf_Timestamp(date: session.createdAt)
                    $0.lastSeenAt = Google_Protobuf_Timestamp(date: session.lastSeenAt)
                    $0.clientAddress = session.clientAddress
                    $0.userAgent = session.userAgent
                    $0.current = session.id.lowercasedString == current
                }
            }
        }
    }

    public func revokeSession(request: Idm_V1_RevokeSessionRequest, context: ServerContext) async throws -> Idm_V1_RevokeSessionResponse {
        try await sessions.revokeOwnSession(userID: request.userID, sessionID: request.sessionID)
        return .with { $0.revoked = 1 }
    }

    public func revokeUserSessions(
        request: Idm_V1_RevokeUserSessionsRequest, context: ServerContext
    ) async throws -> Idm_V1_RevokeSessionResponse {
        guard let userID = UUID(uuidString: request.userID) else {
            throw AppError(.invalidArgument, "bad user id", details: ["user_id": "must be a UUID"])
        }
        let revoked = try await sessions.revoke(
            .user(userID, except: UUID(uuidString: request.exceptSessionID)), reason: "revoked_all")
        return .with {
            $0.revoked = Int32(revoked.count)
            $0.sessionIds = revoked.map(\.lowercasedString)
        }
    }

    public func lastConnection(request: Idm_V1_LastConnectionRequest, context: ServerContext) async throws -> Idm_V1_LastConnectionResponse {
        let last = try await sessions.lastConnection(email: request.email)
        return .with {
            $0.email = EmailAddress.normalized(request.email)
            if let last { $0.lastConnectionAt = Google_Protobuf_Timestamp(date: last) }
        }
    }

    public func getJWKS(request: Idm_V1_GetJWKSRequest, context: ServerContext) async throws -> Idm_V1_GetJWKSResponse {
        .with { $0.jwksJson = sessions.jwks.json() }
    }

    public func listRevokedSessions(
        request: Idm_V1_ListRevokedSessionsRequest, context: ServerContext
    ) async throws -> Idm_V1_ListRevokedSessionsResponse {
        let revoked = try await sessions.recentlyRevoked()
        return .with {
            $0.sessions = revoked.map { entry in
                .with {
                    $0.sessionID = entry.id.lowercasedString
                    $0.expiresAt = Google_Protobuf_Timestamp(date: entry.expiresAt)
                }
            }
        }
    }
}

extension Idm_V1_LoginResponse {
    init(_ issued: IssuedTokens) {
        self = .with {
            $0.token = issued.accessToken
            $0.refreshToken = issued.refreshToken
            $0.tokenType = "Bearer"
            $0.expiresIn = issued.accessExpiresIn
            $0.refreshExpiresIn = issued.refreshExpiresIn
            $0.userID = issued.claims.userID
            $0.email = issued.claims.email
            $0.roles = issued.claims.roles
            $0.sessionID = issued.claims.sid
        }
    }
}
