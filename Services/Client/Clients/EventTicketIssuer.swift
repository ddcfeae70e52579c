import Contracts
import FoundationEssentials
import PlatformCore
import PlatformRPC

/// The event service's `IssueTicket` and `CancelTicket`, for the client service's purchases.
struct EventTicketIssuer: TicketIssuer {
    let events: any Event_V1_EventService.ClientProtocol

    func issue(_ target: TicketTarget, client: UUID, user: UUID?, key: String, by requester: Requester) async throws
        -> (code: String, issuedAt: Date)
    {
        let ticket = try await AppError.mappingRPCErrors {
            try await events.issueTicket(
                .with {
                    $0.caller = .init(requester)
                    switch target {
                    case .event(let id): $0.eventID = id.lowercasedString
                    case .packet(let id): $0.packetID = id.lowercasedString
                    }
                    $0.holderClientID = client.lowercasedString
                    $0.holderUserID = user?.lowercasedString ?? ""
                    $0.idempotencyKey = key
                })
        }
        return (ticket.code, ticket.issuedAt.date)
    }

    func cancel(code: String, by requester: Requester) async throws {
        _ = try await AppError.mappingRPCErrors {
            try await events.cancelTicket(
                .with {
                    $0.caller = .init(requester)
                    $0.code = code
                })
        }
    }
}
