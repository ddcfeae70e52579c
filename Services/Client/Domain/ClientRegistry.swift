import FoundationEssentials
import PlatformCore

/// Client profiles: each account keeps its own (`me`), admins manage every one, anyone reads the
/// public view. A client that is not the requester's is "not found" to anyone but an admin.
public struct ClientRegistry: Sendable {
    public static let nameLimit = TextLimit(characters: 100)
    public static let networkNameLimit = 50
    public static let socialLinkLimit = 10
    public static let urlLimit = 2000

    private let store: any ClientStore
    private let tickets: any TicketIssuer
    private let now: @Sendable () -> Date

    public init(store: any ClientStore, tickets: any TicketIssuer, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.tickets = tickets
        self.now = now
    }

    public func mine(by requester: Requester) async throws -> Client {
        guard let user = try Self.account(requester), let client = try await store.client(userID: user) else {
            throw AppError(.notFound, "you have no client profile yet: PUT one")
        }
        return client
    }

    /// Changes the requester's profile, creating it (with their account's email) on the first
    /// call, or claiming the one an admin created for that email.
    public func putMine(_ fields: ClientFields, by requester: Requester) async throws -> Client {
        guard let user = try Self.account(requester), let email = requester.email.map(EmailAddress.normalized) else {
            throw AppError(.permissionDenied, "client profiles belong to user accounts")
        }
        var fields = try Self.checked(fields)
        fields.email = nil  // the account's email, never the body's
        let time = now()
        var existing = try await store.client(userID: user)
        if existing == nil { existing = try await store.claim(email: email, by: user, at: time) }
        if let client = existing {
            guard let updated = try await store.update(id: client.id, fields, at: time) else { throw Self.notFound }
            return updated
        }
        let client = Self.new(userID: user, email: email, fields, at: time)
        do {
            try await store.insert(client)
        } catch let error as AppError where error.code == .alreadyExists {
            // A concurrent first PUT of the same account won: change that one.
            guard let existing = try await store.client(userID: user),
                let updated = try await store.update(id: existing.id, fields, at: time)
            else { throw error }
            return updated
        }
        return client
    }

    public func create(_ fields: ClientFields, by requester: Requester) async throws -> Client {
        try Self.requireAdmin(requester)
        let fields = try Self.checked(fields)
        guard let email = fields.email else {
            throw AppError(.invalidArgument, "the client is not valid", details: ["email": "is required"])
        }
        let client = Self.new(userID: nil, email: email, fields, at: now())
        try await store.insert(client)
        return client
    }

    public func list(_ paging: PageRequest, search: String?, by requester: Requester) async throws -> Page<Client> {
        try Self.requireAdmin(requester)
        return try await store.clients(paging, search: search?.trimmingWhitespace().nonEmpty)
    }

    /// Admins, and the client themself.
    public func client(_ id: String, by requester: Requester) async throws -> Client {
        guard let id = UUID(uuidString: id), let client = try await store.client(id: id), Self.mayManage(client, requester)
        else { throw Self.notFound }
        return client
    }

    public func update(_ id: String, _ fields: ClientFields, by requester: Requester) async throws -> Client {
        try Self.requireAdmin(requester)
        let fields = try Self.checked(fields)
        guard let id = UUID(uuidString: id), let client = try await store.update(id: id, fields, at: now()) else {
            throw Self.notFound
        }
        return client
    }

    /// Cancels the client's valid tickets (their seats come back), then deletes the profile.
    public func delete(_ id: String, by requester: Requester) async throws {
        try Self.requireAdmin(requester)
        guard let id = UUID(uuidString: id), let client = try await store.client(id: id) else { throw Self.notFound }
        for ticket in client.tickets { try await tickets.cancel(code: ticket.code, by: requester) }
        guard try await store.delete(id: id) else { throw Self.notFound }
    }

    public func publicView(_ id: String) async throws -> PublicClient {
        guard let id = UUID(uuidString: id), let client = try await store.client(id: id) else { throw Self.notFound }
        return client.publicView
    }

    // MARK: Rules

    static func new(userID: UUID?, email: String, _ fields: ClientFields, at time: Date) -> Client {
        Client(
            id: UUID(), userID: userID, email: email, firstName: fields.firstName ?? nil, lastName: fields.lastName ?? nil,
            isNamePublic: fields.isNamePublic ?? false, socialLinks: fields.socialLinks ?? nil,
            isSocialPublic: fields.isSocialPublic ?? false, tickets: [], pendingPurchases: [], createdAt: time, updatedAt: time)
    }

    static func mayManage(_ client: Client, _ requester: Requester) -> Bool { mayManage(userID: client.userID, requester) }

    static func mayManage(userID: UUID?, _ requester: Requester) -> Bool {
        requester.has(.admin) || (userID != nil && userID == requester.userID)
    }

    /// The requester's account, nil for a terminal; 401 when nobody is signed in.
    static func account(_ requester: Requester) throws(AppError) -> UUID? {
        try requester.requireSignedIn()
        return requester.userID
    }

    static func requireAdmin(_ requester: Requester) throws(AppError) {
        try requester.requireSignedIn()
        guard requester.has(.admin) else { throw AppError(.permissionDenied, "only admins manage every client") }
    }

    static func checked(_ fields: ClientFields) throws(AppError) -> ClientFields {
        var checked = fields
        var problems: [String: String] = [:]
        if let email = fields.email {
            let normalized = EmailAddress.normalized(email)
            if EmailAddress.isValid(normalized) { checked.email = normalized } else { problems["email"] = "must be an email address" }
        }
        for (field, value, keyPath) in [
            ("first_name", fields.firstName, \ClientFields.firstName), ("last_name", fields.lastName, \ClientFields.lastName),
        ] {
            guard case .some(.some(let name)) = value else { continue }
            let trimmed = name.trimmingWhitespace()
            if let problem = nameLimit.problem(with: trimmed) { problems[field] = problem }
            checked[keyPath: keyPath] = .some(trimmed)
        }
        if case .some(.some(let links)) = fields.socialLinks {
            if links.count > socialLinkLimit { problems["social_links"] = "at most \(socialLinkLimit) links" }
            for (network, url) in links.sorted(by: { $0.key < $1.key }) {
                if !isNetworkName(network) {
                    problems["social_links"] = "network names are 1 to \(networkNameLimit) letters, digits, - or _"
                } else if !isWebURL(url) {
                    problems["social_links.\(network)"] = "must be an http or https URL"
                }
            }
        }
        guard problems.isEmpty else { throw AppError(.invalidArgument, "the client is not valid", details: problems) }
        return checked
    }

    static func isNetworkName(_ text: String) -> Bool {
        (1...networkNameLimit).contains(text.count)
            && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.isASCIIAlphanumeric || $0 == "-" || $0 == "_") }
    }

    static func isWebURL(_ text: String) -> Bool {
        guard text.utf8.count <= urlLimit, let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    static let notFound = AppError(.notFound, "no such client")
}
