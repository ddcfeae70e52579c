import FoundationEssentials
import PlatformCore

/// A ticketing client: a profile (linked to a user account once claimed) and the tickets it holds.
public struct Client: Sendable, Equatable {
    public var id: UUID
    /// Nil for a client an admin created that no account has claimed yet.
    public var userID: UUID?
    public var email: String
    public var firstName: String?
    public var lastName: String?
    public var isNamePublic: Bool
    public var socialLinks: [String: String]?
    public var isSocialPublic: Bool
    public var tickets: [ClientTicket]
    /// Purchases asked of the event service whose ticket is not recorded yet.
    public var pendingPurchases: [PendingPurchase]
    public var createdAt: Date
    public var updatedAt: Date

    /// What anyone may see: names and links only where the client made them public.
    public var publicView: PublicClient {
        PublicClient(
            id: id, firstName: isNamePublic ? firstName : nil, lastName: isNamePublic ? lastName : nil,
            socialLinks: isSocialPublic ? socialLinks : nil)
    }
}

public struct PublicClient: Sendable, Equatable {
    public var id: UUID
    public var firstName: String?
    public var lastName: String?
    public var socialLinks: [String: String]?
}

public struct ClientTicket: Sendable, Equatable {
    public var code: String
    public var target: TicketTarget
    public var purchasedAt: Date
    /// The purchase's idempotency key.
    public var key: String
}

/// What a purchase under `key` finds on its client: whose client it is, and the ticket or the
/// note that key already left.
public struct PurchaseState: Sendable, Equatable {
    public var userID: UUID?
    public var ticket: ClientTicket?
    public var pending: PendingPurchase?
}

public struct PendingPurchase: Sendable, Equatable {
    public var key: String
    public var target: TicketTarget
    public var startedAt: Date
}

/// The fields of a profile a write sets: nil leaves one alone, `.some(nil)` clears it.
public struct ClientFields: Sendable, Equatable {
    public var email: String?
    public var firstName: String??
    public var lastName: String??
    public var isNamePublic: Bool?
    public var socialLinks: [String: String]??
    public var isSocialPublic: Bool?

    public init(
        email: String? = nil, firstName: String?? = nil, lastName: String?? = nil, isNamePublic: Bool? = nil,
        socialLinks: [String: String]?? = nil, isSocialPublic: Bool? = nil
    ) {
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.isNamePublic = isNamePublic
        self.socialLinks = socialLinks
        self.isSocialPublic = isSocialPublic
    }
}

/// Where clients are kept. Writes are single atomic document updates.
public protocol ClientStore: Sendable {
    func client(id: UUID) async throws -> Client?
    func client(userID: UUID) async throws -> Client?
    /// The client's owner and what `key` left on it, without its other tickets; nil when there is no such client.
    func purchase(client: UUID, key: String) async throws -> PurchaseState?
    /// `alreadyExists` for a taken email or user.
    func insert(_ client: Client) async throws
    /// Applies the checked fields; nil when there is no such client. `alreadyExists` for a taken email.
    func update(id: UUID, _ fields: ClientFields, at time: Date) async throws -> Client?
    /// Gives the unclaimed client with this email to `userID`; nil when there is none.
    func claim(email: String, by userID: UUID, at time: Date) async throws -> Client?
    func clients(_ paging: PageRequest, search: String?) async throws -> Page<Client>
    func delete(id: UUID) async throws -> Bool
    /// Notes a purchase under way (once per key); false when there is no such client.
    func beginPurchase(client: UUID, _ purchase: PendingPurchase) async throws -> Bool
    /// Records the ticket (once per code) and ends the purchase; false when there is no such client.
    func completePurchase(client: UUID, key: String, ticket: ClientTicket) async throws -> Bool
    func abandonPurchase(client: UUID, key: String) async throws
    /// Purchases begun before `time`, oldest first, at most `limit`.
    func pendingPurchases(startedBefore time: Date, limit: Int) async throws -> [(client: Client, purchase: PendingPurchase)]
}
