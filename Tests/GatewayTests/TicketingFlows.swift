import Foundation
import TestSupport
import Testing

/// A ticket of the stack with who holds it and who owns its event.
struct SoldTicket: Sendable {
    let code: String
    let event: String
    let holder: Account
    let client: String
    let owner: Account
}

/// Ticketing set-ups through the gateway, as a client would make them.
extension PlatformStack {
    /// An event of `capacity` seats owned by `owner` (a new staff member when nil).
    func event(capacity: Int = 5, by owner: Account? = nil) async throws -> (id: String, owner: Account) {
        var staff: Account
        if let owner { staff = owner } else { staff = try await self.staff() }
        let created = try await client.call(
            .post, "/api/events", token: staff.accessToken,
            json: [
                "name": "Concert \(UUID().uuidString.prefix(8))", "location": "Hall", "starts_at": "2027-03-01T19:30:00Z",
                "capacity": capacity,
            ])
        try #require(created.status == 201, "\(created)")
        return (try #require(created["id"] as? String), staff)
    }

    /// A packet of `events`, owned by `owner`.
    func packet(of events: [String], by owner: Account, capacity: Int? = nil) async throws -> String {
        var body: [String: any Sendable] = ["name": "Pass \(UUID().uuidString.prefix(8))", "event_ids": events]
        if let capacity { body["capacity"] = capacity }
        let created = try await client.call(.post, "/api/packets", token: owner.accessToken, json: body)
        try #require(created.status == 201, "\(created)")
        return try #require(created["id"] as? String)
    }

    /// `account`'s client profile (created on the first call).
    func clientProfile(of account: Account) async throws -> String {
        let response = try await client.call(.put, "/api/clients/me", token: account.accessToken, json: ["first_name": "Ann"])
        try #require(response.status == 200, "\(response)")
        return try #require(response["id"] as? String)
    }

    /// A ticket bought by a new customer for `target` (`event_id` or `packet_id` → id), or for a new event.
    func ticket(for target: (field: String, id: String)? = nil) async throws -> SoldTicket {
        let (event, owner) = try await self.event()
        let holder = try await customer()
        let clientID = try await clientProfile(of: holder)
        let (field, id) = target ?? ("event_id", event)
        let bought = try await client.call(.post, "/api/clients/\(clientID)/tickets", token: holder.accessToken, json: [field: id])
        try #require(bought.status == 201, "\(bought)")
        return SoldTicket(code: try #require(bought["code"] as? String), event: event, holder: holder, client: clientID, owner: owner)
    }
}
