import FoundationEssentials
import PlatformCore
import ServiceFront

// The JSON of the client service's own REST front; the gateway's document describes the same.

struct ClientView: Encodable {
    let id: String
    let userId: Nullable<String>
    let email: String
    let firstName: Nullable<String>
    let lastName: Nullable<String>
    let isNamePublic: Bool
    let socialLinks: Nullable<[String: String]>
    let isSocialPublic: Bool
    let tickets: [ClientTicketView]
    let createdAt: Date
    let updatedAt: Date

    init(_ client: Client) {
        id = client.id.lowercasedString
        userId = Nullable(client.userID?.lowercasedString)
        email = client.email
        firstName = Nullable(client.firstName)
        lastName = Nullable(client.lastName)
        isNamePublic = client.isNamePublic
        socialLinks = Nullable(client.socialLinks)
        isSocialPublic = client.isSocialPublic
        tickets = client.tickets.map(ClientTicketView.init)
        createdAt = client.createdAt
        updatedAt = client.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, tickets
        case userId = "user_id", firstName = "first_name", lastName = "last_name", isNamePublic = "is_name_public"
        case socialLinks = "social_links", isSocialPublic = "is_social_public", createdAt = "created_at", updatedAt = "updated_at"
    }
}

struct ClientTicketView: Encodable {
    let code: String
    let eventId: Nullable<String>
    let packetId: Nullable<String>
    let purchasedAt: Date

    init(_ ticket: ClientTicket) {
        code = ticket.code
        switch ticket.target {
        case .event(let id):
            eventId = Nullable(id.lowercasedString)
            packetId = Nullable(nil)
        case .packet(let id):
            eventId = Nullable(nil)
            packetId = Nullable(id.lowercasedString)
        }
        purchasedAt = ticket.purchasedAt
    }

    enum CodingKeys: String, CodingKey {
        case code
        case eventId = "event_id", packetId = "packet_id", purchasedAt = "purchased_at"
    }
}

struct PublicClientView: Encodable {
    let id: String
    let firstName: Nullable<String>
    let lastName: Nullable<String>
    let socialLinks: Nullable<[String: String]>

    init(_ client: PublicClient) {
        id = client.id.lowercasedString
        firstName = Nullable(client.firstName)
        lastName = Nullable(client.lastName)
        socialLinks = Nullable(client.socialLinks)
    }

    enum CodingKeys: String, CodingKey {
        case id
        case firstName = "first_name", lastName = "last_name", socialLinks = "social_links"
    }
}

/// A profile write: absent fields are left alone, `null` clears a name or the links.
struct ClientBody: Decodable {
    var fields: ClientFields

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func nullable<T>(_ patch: Patch<T>) -> T?? {
            switch patch {
            case .absent: nil
            case .null: .some(nil)
            case .value(let value): .some(value)
            }
        }
        fields = ClientFields(
            email: try container.decodeIfPresent(String.self, forKey: .email),
            firstName: nullable(try container.decode(Patch<String>.self, forKey: .firstName)),
            lastName: nullable(try container.decode(Patch<String>.self, forKey: .lastName)),
            isNamePublic: try container.decodeIfPresent(Bool.self, forKey: .isNamePublic),
            socialLinks: nullable(try container.decode(Patch<[String: String]>.self, forKey: .socialLinks)),
            isSocialPublic: try container.decodeIfPresent(Bool.self, forKey: .isSocialPublic))
    }

    enum CodingKeys: String, CodingKey {
        case email
        case firstName = "first_name", lastName = "last_name", isNamePublic = "is_name_public", socialLinks = "social_links"
        case isSocialPublic = "is_social_public"
    }
}

struct PurchaseBody: Decodable {
    var eventId: String?
    var packetId: String?

    enum CodingKeys: String, CodingKey {
        case eventId = "event_id", packetId = "packet_id"
    }
}
