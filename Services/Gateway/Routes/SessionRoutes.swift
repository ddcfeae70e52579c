import Contracts
import PlatformAPI
import PlatformCore

/// `/api/sessions`: the caller's sessions, revoking one, and the last connection of a user.
extension GatewayAPI {
    func listSessions(_ input: Operations.ListSessions.Input) async throws -> Operations.ListSessions.Output {
        let caller = try Caller.current()
        let list = try await peers.idm.listSessions(
            .with {
                $0.userID = caller.userID
                $0.currentSessionID = caller.sessionID
            })
        return .ok(.init(body: .json(.init(sessions: list.sessions.map(Components.Schemas.Session.init)))))
    }

    func revokeSession(_ input: Operations.RevokeSession.Input) async throws -> Operations.RevokeSession.Output {
        let caller = try Caller.current()
        _ = try await peers.idm.revokeSession(
            .with {
                $0.userID = caller.userID
                $0.sessionID = input.path.id
            })
        gate.revokeLocally(input.path.id)
        return .noContent(.init())
    }

    func getLastConnection(_ input: Operations.GetLastConnection.Input) async throws -> Operations.GetLastConnection.Output {
        let caller = try Caller.current()
        try requirePresent(["email": input.query.email], "email is required")
        let email = EmailAddress.normalized(input.query.email ?? "")
        if email != caller.email {
            guard caller.has(.admin) else { throw AppError(.permissionDenied, "only admins may look up other users") }
            _ = try await peers.users.getUser(.with { $0.email = email })
        }
        let last = try await peers.idm.lastConnection(.with { $0.email = email })
        return .ok(
            .init(body: .json(.init(email: email, lastConnectionAt: last.hasLastConnectionAt ? last.lastConnectionAt.date : nil))))
    }
}
