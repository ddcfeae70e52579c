import Contracts
import Foundation
import Hummingbird
import PlatformCore
import PlatformHTTP

/// `/api/sessions`: the caller's sessions, revoking one, and the last connection of a user.
struct SessionRoutes {
    let upstreams: Upstreams
    let gate: AccessGate

    func add(to router: Router<AppRequestContext>) {
        let sessions = router.group("api/sessions")
        sessions.get { request, _ in
            let caller = try await gate.authenticate(request)
            let list = try await upstreams.idm.listSessions(
                .with {
                    $0.userID = caller.userID
                    $0.currentSessionID = caller.sessionID
                })
            return try json(SessionListView(sessions: list.sessions.map(SessionView.init)))
        }
        sessions.get("last-connection") { request, _ in try await lastConnection(request) }
        sessions.delete(":id") { request, context in
            let caller = try await gate.authenticate(request)
            guard let id = context.parameters.get("id"), UUID(uuidString: id) != nil else {
                throw AppError(.notFound, "no such session")
            }
            _ = try await upstreams.idm.revokeSession(
                .with {
                    $0.userID = caller.userID
                    $0.sessionID = id
                })
            gate.revokeLocally(id)
            return noContent()
        }
    }

    func lastConnection(_ request: Request) async throws -> Response {
        let caller = try await gate.authenticate(request)
        guard let raw = request.uri.queryParameters.get("email"), !raw.isEmpty else {
            throw AppError(.invalidArgument, "email is required", details: ["email": "is required"])
        }
        let email = EmailAddress.normalized(raw)
        if email != caller.email {
            guard caller.isAdmin else { throw AppError(.permissionDenied, "only admins may look up other users") }
            _ = try await upstreams.users.getUser(.with { $0.email = email })
        }
        let last = try await upstreams.idm.lastConnection(.with { $0.email = email })
        return try json(
            LastConnectionView(email: email, last_connection_at: last.hasLastConnectionAt ? rfc3339(last.lastConnectionAt) : nil))
    }
}
